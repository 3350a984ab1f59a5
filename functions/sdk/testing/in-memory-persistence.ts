/**
 * Powertools Idempotency's persistence contract over a Map: what DynamoDB stores, without the network. The
 * SDK's idempotency runs through the same BasePersistenceLayer code path (key hashing, IN_PROGRESS, COMPLETED,
 * expiry, local cache) as with DynamoDBPersistenceLayer; only the four storage calls differ.
 */
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

export class InMemoryPersistenceLayer extends BasePersistenceLayer {
  readonly #items = new Map<string, IdempotencyRecord>();

  /** Keys stored now (IN_PROGRESS or COMPLETED), e.g. to assert that a record was marked. */
  get size(): number {
    return this.#items.size;
  }

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.#items.get(key);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  // Like DynamoDB's conditional put: an unexpired item with the key makes the put fail.
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#items.get(record.idempotencyKey);
    if (existing && !existing.isExpired())
      throw new IdempotencyItemAlreadyExistsError(`exists: ${record.idempotencyKey}`, existing);
    this.#items.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.#items.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#items.delete(record.idempotencyKey);
  }
}
