package io.microshift.update.host;

import io.microshift.update.marker.CrashHook;
import io.microshift.update.marker.MarkerProblems;
import io.microshift.update.marker.MarkerReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;

/** Parses the host agent's command line and runs one verb. Exit codes: 0 ok, 1 failed or refused, 2 usage. */
public final class HostCli {
  private HostCli() {}

  static final String USAGE = String.join("\n",
      "usage: microshift-update [--root DIR] [--booted-deployment-file FILE] [--marker-owner UID]"
          + " [--stop-timeout SECONDS] [--etcd-endpoints URLS] VERB [ARG]",
      "verbs:",
      "  apply             act on request.json: Prepare (check, download, stage locked), Apply (etcd snapshot,"
          + " stop MicroShift, copy its data, finalize, reboot) or Cancel",
      "  boot              after a boot: record the target booted, or restore after a rollback",
      "  greenboot-check   greenboot required.d: wait for MicroShift and the operator's verification",
      "  greenboot-red     greenboot red.d: record the failed attempt",
      "  greenboot-green   greenboot green.d: record Healthy and Committed, prune old backups",
      "  status [--history N]  human summary and the last N updates (default "
          + StatusCommand.DEFAULT_HISTORY + ", at most " + io.microshift.update.marker.Markers.MAX_UPDATES + ")",
      "  restore ID        put backup ID's data copy back as /var/lib/microshift (MicroShift stopped)",
      "  validate FILE     check a request.json, host-status.json or history.json, one problem a line",
      "  etcd-snapshot DIR snapshot MicroShift's running etcd into DIR/etcd.snapshot (+ .sha256)",
      "  crash-points      list the named crash points of apply and boot",
      "exit codes: 0 ok, 1 failed or refused, 2 usage");

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, null, CrashHook.NONE);
  }

  /**
   * As {@link #run(String[], PrintStream, PrintStream)} with the host's commands run by
   * {@code commands} (null: real processes) and {@code crash} called at every crash point: for a
   * simulated device that plays systemctl, rpm-ostree and dnf, and for crash injection.
   */
  public static int run(String[] args, PrintStream out, PrintStream err, CommandRunner commands, CrashHook crash) {
    return run(args, out, err, commands, crash, DiskSpace.REAL);
  }

  /** As {@link #run(String[], PrintStream, PrintStream, CommandRunner, CrashHook)} with free space from {@code disk}. */
  public static int run(String[] args, PrintStream out, PrintStream err, CommandRunner commands, CrashHook crash,
      DiskSpace disk) {
    Path root = Path.of("/");
    Path bootedFile = null;
    int owner = MarkerReader.ROOT_UID;
    java.time.Duration stopTimeout = MicroShift.STOP_TIMEOUT;
    String etcdEndpoints = null;
    int i = 0;
    try {
      for (; i < args.length && args[i].startsWith("--"); i++) {
        switch (args[i]) {
          case "--root" -> root = Path.of(args[++i]);
          case "--booted-deployment-file" -> bootedFile = Path.of(args[++i]);
          case "--marker-owner" -> owner = Integer.parseInt(args[++i]);
          case "--stop-timeout" -> {
            stopTimeout = java.time.Duration.ofSeconds(Integer.parseInt(args[++i]));
            if (stopTimeout.isNegative() || stopTimeout.toSeconds() > 3600) {
              err.println("--stop-timeout must be between 0 and 3600 seconds\n" + USAGE);
              return 2;
            }
          }
          case "--etcd-endpoints" -> etcdEndpoints = args[++i];
          case "--help" -> {
            out.println(USAGE);
            return 0;
          }
          default -> {
            err.println("unknown option " + args[i] + "\n" + USAGE);
            return 2;
          }
        }
      }
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      err.println("option " + args[i - 1 < 0 ? 0 : i - 1] + " needs a value\n" + USAGE);
      return 2;
    }
    if (i >= args.length) {
      err.println(USAGE);
      return 2;
    }
    String verb = args[i];
    String arg = i + 1 < args.length ? args[i + 1] : null;
    int historyCount = StatusCommand.DEFAULT_HISTORY;
    if (verb.equals("status") && arg != null) {
      Integer n = i + 3 == args.length && arg.equals("--history") ? StatusCommand.historyCount(args[i + 2]) : null;
      if (n == null) {
        err.println("status takes only --history N (0-" + io.microshift.update.marker.Markers.MAX_UPDATES + ")\n" + USAGE);
        return 2;
      }
      historyCount = n;
    } else if (i + 2 < args.length) {
      err.println("too many arguments\n" + USAGE);
      return 2;
    }
    AgentLog log = new AgentLog(err);
    HostPaths paths = new HostPaths(root);
    CommandRunner runner = new LoggedRunner(commands != null ? commands : new ProcessCommandRunner(), log);
    BootedDeployment booted = bootedFile != null ? new FileBootedDeployment(bootedFile) : new RpmOstree(runner, paths);
    HostContext ctx = new HostContext(paths, runner, booted, disk, Clock.systemUTC(), crash,
        owner, log, d -> Thread.sleep(d.toMillis())).stopTimeout(stopTimeout);
    if (etcdEndpoints != null) {
      // MicroShift's etcd at other endpoints (tests); the client certificate stays MicroShift's
      ctx.etcd(io.microshift.update.etcd.EtcdClientConfig.fromEnvironment(java.util.Map.of(
          io.microshift.update.etcd.EtcdClientConfig.ENV_ENDPOINTS, etcdEndpoints,
          io.microshift.update.etcd.EtcdClientConfig.ENV_CERTS_DIR, paths.host("/var/lib/microshift/certs").toString())));
    }
    try {
      return switch (verb) {
        case "apply" -> new ApplyCommand(ctx).run();
        case "boot" -> new BootCommand(ctx).run();
        case "greenboot-check" -> new GreenbootCommands(ctx).check(out);
        case "greenboot-red" -> new GreenbootCommands(ctx).red();
        case "greenboot-green" -> new GreenbootCommands(ctx).green();
        case "status" -> new StatusCommand(ctx).run(out, historyCount);
        case "restore" -> arg == null ? usage(err, "restore needs a backup id") : new RestoreCommand(ctx).run(arg, out);
        case "validate" -> arg == null ? usage(err, "validate needs a file") : new ValidateCommand().run(Path.of(arg), out);
        case "etcd-snapshot" -> arg == null ? usage(err, "etcd-snapshot needs a directory")
            : new EtcdSnapshotCommand(paths, System.getenv()).run(Path.of(arg), out);
        case "crash-points" -> {
          CrashPoints.all().forEach(out::println);
          yield 0;
        }
        case "help" -> {
          out.println(USAGE);
          yield 0;
        }
        default -> {
          err.println("unknown verb " + verb + "\n" + USAGE);
          yield 2;
        }
      };
    } catch (MarkerProblems e) {
      log.error(e.getMessage());
      return 1;
    } catch (HostException | UncheckedIOException | IllegalArgumentException e) {
      log.error(e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.error("interrupted");
      return 1;
    } catch (RuntimeException e) {
      // a bug, not bad input: one clear line (the state on disk is whatever the last completed
      // sub-step left, which every verb resumes from), the trace for the report on stderr
      log.error("internal error in " + verb + ": " + e + " (a bug: please report it with this log)");
      e.printStackTrace(err);
      return 1;
    }
  }

  private static int usage(PrintStream err, String why) {
    err.println(why + "\n" + USAGE);
    return 2;
  }
}
