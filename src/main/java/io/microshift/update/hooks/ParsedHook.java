package io.microshift.update.hooks;

/** What one annotation family on one pod amounts to: a hook, or a problem with it. */
public sealed interface ParsedHook permits HookDefinition, HookProblem {
  String namespace();

  String pod();

  String source();

  /** One line for events and messages. */
  String describe();
}
