/*
 * The test oracle for Stratus's filter matcher: AWS's own event-ruler, the engine behind EventBridge and
 * Lambda event filtering. test/oracle/event-ruler.ts starts it once per test run (single-file source launch,
 * `java -cp <jars> EventRulerOracle.java`) and streams cases through stdin/stdout, one JSON line each way:
 *
 *   in:  {"pattern": "<pattern JSON text>", "events": ["<event JSON text>", ...]}
 *   out: {"accepted": true|false, "reason": "<why the pattern is refused>"|null,
 *         "matches": [true|false, ...], "uncomparable": ["<number text>", ...]}
 *
 * "accepted" is JsonRuleCompiler.check (the current rule compiler; Machine.addRule would also retry the legacy
 * RuleCompiler, which accepts some patterns the current one refuses). A pattern that compiles but that the
 * machine still refuses (more than 256 fields in one rule) is reported as refused with the machine's reason.
 * "uncomparable" lists the number literals of the pattern and events that event-ruler cannot compare
 * numerically on this JVM (BigDecimal of the text differs from BigDecimal.valueOf(double)): Java 17's
 * Double.toString is not always the shortest representation (JDK-4511638, fixed in Java 19), so the test
 * can tell those cases apart.
 */
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.Machine;

public class EventRulerOracle {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            out.write(answer(MAPPER.readTree(line)).toString());
            out.write('\n');
        }
        out.flush();
    }

    private static ObjectNode answer(JsonNode request) {
        ObjectNode result = MAPPER.createObjectNode();
        String pattern = request.get("pattern").asText();
        Set<String> uncomparable = new LinkedHashSet<>();
        collectUncomparable(pattern, uncomparable);
        String reason = JsonRuleCompiler.check(pattern);
        Machine machine = null;
        if (reason == null) {
            try {
                machine = Machine.builder().build();
                machine.addRule("rule", pattern);
            } catch (Throwable e) {
                reason = String.valueOf(e.getMessage());
                machine = null;
            }
        }
        result.put("accepted", reason == null);
        result.put("reason", reason);
        ArrayNode matches = result.putArray("matches");
        JsonNode events = request.get("events");
        if (events != null) {
            for (JsonNode event : events) {
                String text = event.asText();
                collectUncomparable(text, uncomparable);
                boolean matched = false;
                if (machine != null) {
                    try {
                        matched = !machine.rulesForJSONEvent(text).isEmpty();
                    } catch (Throwable e) {
                        result.put("eventError", String.valueOf(e.getMessage()));
                    }
                }
                matches.add(matched);
            }
        }
        ArrayNode numbers = result.putArray("uncomparable");
        uncomparable.forEach(numbers::add);
        return result;
    }

    /** Mirrors ComparableNumber.generate's test: the double must print back to the same decimal. */
    private static void collectUncomparable(String json, Set<String> into) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                    String text = parser.getText();
                    try {
                        BigDecimal exact = new BigDecimal(text);
                        double value = exact.doubleValue();
                        if (Double.isInfinite(value) || BigDecimal.valueOf(value).compareTo(exact) != 0) into.add(text);
                    } catch (NumberFormatException e) {
                        into.add(text);
                    }
                }
            }
        } catch (Exception e) {
            // Not JSON: the pattern check or the match reports it.
        }
    }
}
