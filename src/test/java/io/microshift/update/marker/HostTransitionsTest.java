package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (from, to) pair of host states: the moves the verbs of host/ make (read from each
 * {@code recorder.transition} call) are allowed, every other is refused with both states named.
 */
class HostTransitionsTest {
  /** from: the states the agent moves to (besides writing the same state again). "-": no status yet. */
  static final String TABLE = """
      -          Preparing Checked Staging Booted RolledBack Failed
      Preparing  Prepared Staged Failed Restored
      Prepared   Staged Failed Restored
      Checked    Restored
      Staging    Staged Booted Failed
      Staged     Rebooting Restarting Booted Failed
      Rebooting  Booted RolledBack Failed
      Restarting Booted Failed
      Booted     Healthy Unhealthy RolledBack Failed Restored
      Healthy    Committed Unhealthy Booted RolledBack Failed Restored
      Unhealthy  Healthy Booted RolledBack Failed Restored
      RolledBack Restored Failed
      Committed  RolledBack
      Restored
      Failed     Restored
      """;

  static Map<HostState, Set<HostState>> expected() {
    Map<HostState, Set<HostState>> out = new HashMap<>();
    for (String line : TABLE.strip().split("\n")) {
      String[] words = line.strip().split("\\s+");
      HostState from = words[0].equals("-") ? null : HostState.valueOf(words[0]);
      Set<HostState> to = EnumSet.noneOf(HostState.class);
      Arrays.stream(words).skip(1).map(HostState::valueOf).forEach(to::add);
      if (from != null) {
        to.add(from);
      }
      out.put(from, to);
    }
    return out;
  }

  static Stream<Arguments> everyPair() {
    Map<HostState, Set<HostState>> table = expected();
    List<HostState> froms = new ArrayList<>(Arrays.asList(HostState.values()));
    froms.add(0, null);
    return froms.stream().flatMap(from -> Arrays.stream(HostState.values())
        .map(to -> Arguments.of(from, to, table.get(from).contains(to))));
  }

  @Test
  void theTableNamesEveryState() {
    assertEquals(HostState.values().length + 1, expected().size());
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @MethodSource("everyPair")
  void aMoveIsAllowedExactlyWhenTheAgentMakesIt(HostState from, HostState to, boolean allowed) {
    assertEquals(allowed, HostTransitions.allowed(from, to));
    HostStatus before = new HostStatus.Builder().request(new HostStatus.RequestRef(MarkerFilesTest.UID, 1))
        .state(from).build();
    if (allowed) {
      assertEquals(to, before.transition(to, "moved", "2026-01-31T12:00:00Z").state());
    } else {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> before.transition(to, "moved", "2026-01-31T12:00:00Z"));
      assertTrue(e.getMessage().contains("from " + (from == null ? "no state" : from) + " to " + to), e.getMessage());
    }
  }

  @Test
  void theGroupingsOfHostStates() {
    assertEquals("Checked Committed Restored Failed", names(HostState::isTerminal));
    assertEquals("Preparing Prepared Checked", names(HostState::answersPrepare));
    assertEquals("Staging Staged", names(HostState::isBeforeDataCopy));
    assertEquals("Staging Staged Rebooting Restarting", names(HostState::isBeforeTargetBoot));
    assertEquals("Booted Healthy Unhealthy", names(HostState::isVerifying));
    assertEquals("Booted Healthy Committed Unhealthy RolledBack Restored Failed", names(HostState::isHandedOver));
    assertEquals("Staging Staged Rebooting Restarting RolledBack", names(HostState::isApplyInFlight));
  }

  static String names(java.util.function.Predicate<HostState> p) {
    return Arrays.stream(HostState.values()).filter(p).map(Enum::name).collect(Collectors.joining(" "));
  }
}
