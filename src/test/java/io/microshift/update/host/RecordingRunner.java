package io.microshift.update.host;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A {@link CommandRunner} for the adapter tests: records every argv and answers from a script (exit 0, no output, by default). */
final class RecordingRunner implements CommandRunner {
  final List<List<String>> calls = new ArrayList<>();
  private final Deque<Result> answers = new ArrayDeque<>();

  /** The next command's result. */
  RecordingRunner answer(int exitCode, String stdout, String stderr) {
    answers.add(new Result(exitCode, stdout, stderr));
    return this;
  }

  @Override
  public Result run(List<String> argv) {
    calls.add(List.copyOf(argv));
    return answers.isEmpty() ? new Result(0, "", "") : answers.poll();
  }
}
