package io.microshift.update.host;

import java.util.List;
import java.util.stream.Collectors;

/** Logs every argv and its exit code, then delegates. All agent commands go through one. */
public final class LoggedRunner implements CommandRunner {
  private final CommandRunner delegate;
  private final AgentLog log;

  public LoggedRunner(CommandRunner delegate, AgentLog log) {
    this.delegate = delegate;
    this.log = log;
  }

  @Override
  public Result run(List<String> argv) {
    String shown = argv.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    log.info("exec: " + shown);
    Result r = delegate.run(List.copyOf(argv));
    log.info("exit " + r.exitCode() + ": " + argv.get(0));
    return r;
  }
}
