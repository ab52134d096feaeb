package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.microshift.update.api.UpdatePlan;
import org.junit.jupiter.api.Test;

/** A copy older than the operator's last status write is stale; the same or a newer one is not. */
class WrittenVersionsTest {
  private static UpdatePlan plan(String uid, String resourceVersion) {
    UpdatePlan p = new UpdatePlan();
    p.setMetadata(new ObjectMetaBuilder().withName("p").withUid(uid).withResourceVersion(resourceVersion).build());
    return p;
  }

  @Test
  void anOlderCopyThanOurLastWriteIsStale() {
    WrittenVersions w = new WrittenVersions();
    assertFalse(w.isStale(plan("a", "5")), "nothing written yet");
    w.remember(plan("a", "10"));
    assertTrue(w.isStale(plan("a", "9")), "the informer has not seen our write of 10");
    assertFalse(w.isStale(plan("a", "10")));
    assertFalse(w.isStale(plan("a", "12")), "a newer copy (a spec change) is current");
    assertFalse(w.isStale(plan("b", "1")), "another plan");
    w.remember(plan("a", "8"));
    assertTrue(w.isStale(plan("a", "9")), "the newest write counts");
    assertFalse(w.isStale(plan("a", "not-a-number")), "an opaque version is never called stale");
    w.forget(plan("a", "10"));
    assertFalse(w.isStale(plan("a", "9")), "a deleted plan is forgotten");
  }
}
