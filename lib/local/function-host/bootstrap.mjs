// Worker entry in plain JavaScript: registers tsx in this thread, then loads the TypeScript worker, so
// handler modules written in TypeScript import the same way they are bundled for Lambda.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
