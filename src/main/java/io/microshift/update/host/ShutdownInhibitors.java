package io.microshift.update.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.microshift.update.marker.Markers;
import io.microshift.update.marker.UpdateRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * systemd's shutdown inhibitor locks in {@code block} mode, which refuse the reboot that applies an
 * update:
 * <ul>
 *   <li>{@code rpm-ostree finalize-deployment} refuses while one is held, before it unlocks the
 *       staged deployment (coreos/rpm-ostree src/daemon/rpmostreed-utils.cxx {@code
 *       check_sd_inhibitor_locks}: "Reboot blocked by a systemd inhibitor lock in `block` mode";
 *       only a {@code what} naming shutdown in mode {@code block}, not {@code delay} as the
 *       kubelet's graceful node shutdown takes, nor {@code block-weak});</li>
 *   <li>logind refuses a strong block lock to root as well since systemd 257 (src/login/logind-dbus.c
 *       {@code verify_shutdown_creds}: "Operation denied due to active block inhibitor"), so
 *       {@code systemctl reboot} fails, and {@code bootc upgrade --apply}, which reboots through
 *       {@code systemd-run systemctl reboot} and then waits to be killed (bootc-dev/bootc
 *       crates/lib/src/reboot.rs {@code reboot}), never returns.</li>
 * </ul>
 * The agent lists them as rpm-ostree does, with logind's {@code ListInhibitors} ({@code a(ssssuu)}:
 * what, who, why, mode, uid, pid), through {@code busctl --json=short call}, whose reply is {@code
 * {"type":"a(ssssuu)","data":[[[WHAT,WHO,WHY,MODE,UID,PID],...]]}} (systemd src/busctl/busctl.c
 * {@code call} and {@code json_transform_message}: the message's values as an array, a struct as an
 * array).
 */
final class ShutdownInhibitors {
  static final List<String> LIST_INHIBITORS = List.of("busctl", "--json=short", "call", "org.freedesktop.login1",
      "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "ListInhibitors");

  /** One inhibitor lock, as logind lists it. */
  record Lock(String what, String who, String why, String mode, long uid, long pid) {
    /** rpm-ostree's test: {@code strstr (what, "shutdown") && g_str_equal (mode, "block")}. */
    boolean blocksShutdown() {
      return what.contains("shutdown") && mode.equals("block");
    }

    String describe() {
      return "held by " + who + " (pid " + pid + ", uid " + uid + "): " + why;
    }
  }

  /** Loaded on first use, as in {@link Bootc}: the boot-path verbs never ask logind. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private ShutdownInhibitors() {}

  /** The locks held now; empty when logind cannot be asked (no busctl, no logind: nothing to tell). */
  static Optional<List<Lock>> list(CommandRunner runner) {
    CommandRunner.Result r = runner.run(LIST_INHIBITORS);
    if (!r.ok()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(r.stdout()));
    } catch (IOException | IllegalArgumentException e) {
      throw new HostException("cannot parse logind's ListInhibitors reply (busctl --json=short): " + e.getMessage(), e);
    }
  }

  static List<Lock> parse(String busctlJson) throws IOException {
    JsonNode reply = Json.MAPPER.readTree(busctlJson);
    if (reply == null || !"a(ssssuu)".equals(reply.path("type").asText())) {
      throw new IllegalArgumentException("type is not a(ssssuu)");
    }
    JsonNode locks = reply.path("data").path(0);
    if (!locks.isArray()) {
      throw new IllegalArgumentException("data[0] is not an array");
    }
    List<Lock> out = new ArrayList<>();
    for (JsonNode l : locks) {
      if (!l.isArray() || l.size() != 6 || !l.get(4).canConvertToLong() || !l.get(5).canConvertToLong()) {
        throw new IllegalArgumentException("an inhibitor is not [what, who, why, mode, uid, pid]");
      }
      out.add(new Lock(text(l, 0), text(l, 1), text(l, 2), text(l, 3), l.get(4).asLong(), l.get(5).asLong()));
    }
    return out;
  }

  /** Any process may take a lock and name it: what reaches a message is printable and bounded. */
  private static String text(JsonNode lock, int i) {
    if (!lock.get(i).isTextual()) {
      throw new IllegalArgumentException("an inhibitor's field " + i + " is not a string");
    }
    return Markers.printable(lock.get(i).asText(), 200);
  }

  /**
   * Why {@code req} could not reboot now, when it reboots whatever its install changes: ostree and
   * image always, rpm when the plan or a y-stream says so ({@link RpmRestartRule#plannedRebootReason});
   * an rpm z-stream knows only after its install ({@code dnf needs-restarting -r}).
   */
  static Optional<String> refusalFor(HostContext ctx, UpdateRequest req, String fromVersion) {
    boolean reboots = req.type().deploysOstree() || RpmRestartRule.plannedRebootReason(req, fromVersion).isPresent();
    return reboots ? refusal(ctx, actionOf(req)) : Optional.empty();
  }

  static String actionOf(UpdateRequest req) {
    return "the " + req.type().jsonName() + " update to " + req.target().version();
  }

  /**
   * Why the reboot that {@code action} needs would be refused now: the block-mode shutdown locks,
   * as rpm-ostree words it, with what to do. Empty when none is held, or logind cannot be asked or
   * answers what the agent cannot read (logged): rpm-ostree's own check still stands before the
   * reboot, and refusing every update on an unreadable reply would leave the host unable to update.
   */
  static Optional<String> refusal(HostContext ctx, String action) {
    List<Lock> held;
    try {
      held = list(ctx.runner()).orElse(List.of());
    } catch (HostException e) {
      ctx.log().error(e.getMessage() + "; going on as if no lock were held");
      return Optional.empty();
    }
    List<Lock> blocking = held.stream().filter(Lock::blocksShutdown).toList();
    if (blocking.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(action + " needs a reboot, and a systemd inhibitor lock in block mode refuses it (rpm-ostree"
        + " finalize-deployment and systemctl reboot refuse while it is held): " + blocking.get(0).describe()
        + (blocking.size() > 1 ? "; and " + (blocking.size() - 1) + " other blocking lock(s)" : "")
        + "; wait until it is released (systemd-inhibit --list shows it) and try again");
  }
}
