package io.microshift.update.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.microshift.update.api.HookStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * How many bytes one phase's entries may take in {@code status.hooks} ({@link
 * HookLimits#PHASE_STATUS_BYTES}), and so how much output each hook keeps.
 *
 * <p>An entry's fixed part is measured as recorded, with the fields that change later at their
 * largest (the longest state, the longest message, both times, an exit code and attempt count
 * of the most digits): it does not grow afterwards. What the fixed parts leave is shared by the
 * output tails, at most {@link HookLimits#MAX_TAIL_BYTES} each for stdout and stderr. The cap
 * follows from the recorded entries alone, so an operator restarted in the middle computes the
 * same one.
 */
final class HookBudget {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The keys and quotes of one tail in the JSON: {@code ,"stdoutTail":""}. */
  private static final int TAIL_KEY_BYTES = 16;
  private static final String LARGEST_TIME = "2026-12-31T23:59:59Z";
  private static final String LARGEST_MESSAGE = "x".repeat(HookLimits.MAX_MESSAGE_BYTES);

  private HookBudget() {}

  /** The bytes of {@code entries}' fixed parts, commas included. */
  static long fixedBytes(List<HookStatus> entries) {
    long total = 0;
    for (HookStatus h : entries) {
      total += fixedBytes(h) + 1;
    }
    return total;
  }

  static int fixedBytes(HookStatus h) {
    HookStatus largest = new HookStatus();
    largest.hookPhase = h.hookPhase;
    largest.namespace = h.namespace;
    largest.pod = h.pod;
    largest.container = h.container;
    largest.command = new ArrayList<>(h.command);
    largest.source = h.source;
    largest.onError = h.onError;
    largest.timeout = h.timeout;
    largest.order = h.order;
    largest.state = HookLedger.INTERRUPTED;
    largest.exitCode = Integer.MIN_VALUE;
    largest.attempts = 99_999;
    largest.startedAt = LARGEST_TIME;
    largest.finishedAt = LARGEST_TIME;
    largest.message = LARGEST_MESSAGE;
    try {
      return JSON.writeValueAsBytes(largest).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a hook entry cannot be written as JSON", e);
    }
  }

  /** Whether {@code entries} fit in one phase's share of the status, tails aside. */
  static boolean fits(List<HookStatus> entries) {
    return fixedBytes(entries) <= HookLimits.PHASE_STATUS_BYTES;
  }

  /** The bytes each of an entry's two output tails may take, from 0 to {@link HookLimits#MAX_TAIL_BYTES}. */
  static int tailBytes(List<HookStatus> entries) {
    if (entries.isEmpty()) {
      return HookLimits.MAX_TAIL_BYTES;
    }
    long left = HookLimits.PHASE_STATUS_BYTES - fixedBytes(entries);
    long each = left / (2L * entries.size()) - TAIL_KEY_BYTES;
    return (int) Math.max(0, Math.min(HookLimits.MAX_TAIL_BYTES, each));
  }
}
