package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The "array of objects" check that host-status.json's history and history.json's updates share. */
class JsonChecksTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode parse(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void everyObjectElementIsCheckedWithItsPathAndEveryOtherElementIsReported() throws Exception {
    List<String> problems = new ArrayList<>();
    List<String> checked = new ArrayList<>();
    new JsonChecks(problems).objects(parse("{\"a\":{\"list\":[{\"x\":1},\"no\",{\"x\":2,\"y\":3},[]]}}")
        .with("a"), "a", "list", true, 10, Set.of("x"), (o, p) -> checked.add(p + "=" + o.get("x")));
    assertEquals(List.of("a.list[0]=1", "a.list[2]=2"), checked);
    assertEquals(List.of("a.list[1]: must be an object", "a.list[2].y: unknown field (allowed: x)",
        "a.list[3]: must be an object"), problems);
  }

  @Test
  void aMissingTooLongOrNonArrayFieldIsOneProblemAndNoElementIsChecked() throws Exception {
    List<String> checked = new ArrayList<>();
    for (String[] c : new String[][] {{"{}", "list: required"}, {"{\"list\":{}}", "list: must be an array"},
        {"{\"list\":[{},{},{}]}", "list: has 3 items, at most 2 allowed"}}) {
      List<String> problems = new ArrayList<>();
      assertNull(new JsonChecks(problems).objects(parse(c[0]), "", "list", true, 2, Set.of(),
          (o, p) -> checked.add(p)), c[0]);
      assertEquals(List.of(c[1]), problems, c[0]);
    }
    assertEquals(List.of(), checked);
  }

  @Test
  void bothValidatorsReportANonObjectElementOfTheirArray() throws Exception {
    ObjectNode status = parse("{\"history\":[\"Staging\"]}");
    assertEquals(true, HostStatusValidator.validate(status).contains("history[0]: must be an object"));
    ObjectNode history = parse("{\"updates\":[{\"planUid\":\"0d7e1c52-4a51-4b43-9d0f-1b2c3d4e5f60\"},7]}");
    List<String> problems = UpdateHistoryValidator.validate(history);
    assertEquals(true, problems.contains("updates[1]: must be an object"), problems.toString());
    assertEquals(true, problems.contains("updates[0].outcome: required"), problems.toString());
  }
}
