package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.HostState;
import io.microshift.update.marker.HostStatus;
import io.microshift.update.marker.RequestValidator;
import io.microshift.update.marker.UpdateRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ostree update whose target commit lacks the operator's image is refused right after staging,
 * with the reason, and the staged deployment is removed: the target commits are real ostree
 * commits, read by the real {@code ostree cat}.
 */
class TargetImagesCheckTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);
  static final String IMAGE = "quay.io/microshift-update/operator@" + DIGEST;

  @TempDir Path root;

  @AfterEach
  void unlock() {
    TestHost.unlockSysroot(root);
  }

  /** One images.json record as containers/storage writes it (fields the agent reads, and others). */
  static String record(String digest, String... names) {
    StringBuilder n = new StringBuilder();
    for (String name : names) {
      n.append(n.length() == 0 ? "" : ",").append('"').append(name).append('"');
    }
    return "{\"id\":\"" + "cd".repeat(32) + "\",\"digest\":\"" + digest + "\",\"names\":[" + n + "],"
        + "\"layer\":\"" + "ef".repeat(32) + "\",\"big-data-names\":[\"manifest\"],"
        + "\"created\":\"2026-11-30T10:00:00Z\"}";
  }

  private static UpdateRequest requiring(TestHost h, String commit, List<String> images) {
    UpdateRequest r = h.request();
    UpdateRequest.Target t = r.target();
    return new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), r.type(), r.from(),
        new UpdateRequest.Target(t.version(), t.ostreeRef(), commit, null, null, null, images),
        r.allowDowngrade(), r.backup(), r.healthCheckTimeoutSeconds(), r.backupRetention(), null);
  }

  @Test
  void aTargetCarryingTheOperatorImageIsStagedAndBooted() {
    TestHost h = new TestHost(root, true);
    String commit = h.ostreeSysroot.commitWithImages(root, TestHost.REF_TARGET, h.commitTarget,
        "[" + record("sha256:" + "01".repeat(32), "registry.example.invalid/other:1") + ","
            + record(DIGEST, "quay.io/microshift-update/operator:0.1.0", IMAGE) + "]");
    h.writeRequest(requiring(h, commit, List.of(IMAGE)));

    assertEquals(0, new ApplyCommand(h.ctx()).run());

    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
    assertTrue(h.runner.calls().stream().anyMatch(c -> c.get(0).equals("ostree") && c.get(1).equals("cat")),
        "the agent read the target's image index");
  }

  @Test
  void aTargetWithoutTheOperatorImageIsRefusedWithTheReasonAndUnstaged() {
    TestHost h = new TestHost(root, true);
    // the commit built without [[containers]]: no image store at all
    h.writeRequest(requiring(h, h.commitTarget, List.of(IMAGE)));

    assertEquals(1, new ApplyCommand(h.ctx()).run());

    HostStatus s = h.status();
    assertEquals(HostState.Failed, s.state());
    assertTrue(s.message().contains("the target commit " + h.commitTarget + " does not carry " + IMAGE
        + " in /usr/share/containers/storage"), s.message());
    assertTrue(s.message().contains("[[containers]] source = \"" + IMAGE + "\""), "says what to do: " + s.message());
    assertTrue(s.message().contains("rpm-ostree cleanup --pending"), s.message());
    assertTrue(h.runner.calls().contains(List.of("rpm-ostree", "cleanup", "--pending")),
        "the refused target must not boot later");
    assertTrue(h.microshiftActive, "MicroShift runs: nothing was stopped");
    assertFalse(h.rebootRequested);
  }

  /**
   * An image pulled by its manifest list's digest, as containers/image stores it: {@code digest} is
   * the instance manifest's, and the list is one more manifest big-data item (storage_image.go
   * {@code manifestBigDataKey}); containers/storage counts it among the image's digests
   * (images.go {@code recomputeDigests}).
   */
  static String pulledByListDigest(String listDigest, String name) {
    String instance = "sha256:" + "77".repeat(32);
    return "{\"id\":\"" + "cd".repeat(32) + "\",\"digest\":\"" + instance + "\",\"names\":[\"" + name + "\"],"
        + "\"big-data-names\":[\"manifest-" + instance + "\",\"manifest-" + listDigest + "\",\"manifest\"],"
        + "\"big-data-digests\":{\"manifest-" + instance + "\":\"" + instance + "\",\"manifest-" + listDigest
        + "\":\"" + listDigest + "\",\"manifest\":\"" + instance + "\",\"sha256:" + "55".repeat(32) + "\":\""
        + "sha256:" + "55".repeat(32) + "\"},\"created\":\"2026-11-30T10:00:00Z\"}";
  }

  @Test
  void anImagePulledByItsManifestListDigestCounts() {
    TestHost h = new TestHost(root, true);
    String commit = h.ostreeSysroot.commitWithImages(root, TestHost.REF_TARGET, h.commitTarget,
        "[" + pulledByListDigest(DIGEST, IMAGE) + "]");
    h.writeRequest(requiring(h, commit, List.of(IMAGE)));

    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
  }

  @Test
  void aBigDataItemThatIsNotAManifestDoesNotCount() {
    TestHost h = new TestHost(root, true);
    String config = "sha256:" + "55".repeat(32);
    String commit = h.ostreeSysroot.commitWithImages(root, TestHost.REF_TARGET, h.commitTarget,
        "[" + pulledByListDigest("sha256:" + "66".repeat(32), "quay.io/microshift-update/operator@" + config) + "]");
    h.writeRequest(requiring(h, commit, List.of("quay.io/microshift-update/operator@" + config)));

    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertTrue(h.status().message().contains("does not carry"), h.status().message());
  }

  @Test
  void theSameDigestUnderAnotherRepositoryOrAnotherDigestDoesNotCount() {
    TestHost h = new TestHost(root, true);
    String commit = h.ostreeSysroot.commitWithImages(root, TestHost.REF_TARGET, h.commitTarget,
        "[" + record(DIGEST, "registry.example.invalid/mirror/other@" + DIGEST) + ","
            + record("sha256:" + "02".repeat(32), "quay.io/microshift-update/operator:0.1.0") + "]");
    h.writeRequest(requiring(h, commit, List.of(IMAGE)));

    assertEquals(1, new ApplyCommand(h.ctx()).run());
    assertTrue(h.status().message().contains("does not carry " + IMAGE), h.status().message());
  }

  @Test
  void anImageModeCommitListingTheImageAsMicroShiftEmbedsItCounts() {
    TestHost h = new TestHost(root, true);
    String commit = h.ostreeSysroot.commitWithFile(root, TestHost.REF_TARGET, h.commitTarget,
        "usr/lib/containers/storage/image-list.txt", IMAGE + "," + "9f".repeat(32) + "\n");
    h.writeRequest(requiring(h, commit, List.of(IMAGE)));
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Rebooting, h.status().state(), h.status().message());
  }

  @Test
  void aRequestThatRequiresNoImageIsNotChecked() {
    TestHost h = new TestHost(root, true);
    h.writeRequest(h.request());
    assertEquals(0, new ApplyCommand(h.ctx()).run());
    assertEquals(HostState.Rebooting, h.status().state());
    assertTrue(h.runner.calls().stream().noneMatch(c -> c.get(0).equals("ostree")));
  }

  @Test
  void repositoryOfStripsTheTagOrDigestButNotARegistryPort() {
    assertEquals("quay.io/a/b", TargetImagesCheck.repositoryOf("quay.io/a/b:1.0"));
    assertEquals("quay.io/a/b", TargetImagesCheck.repositoryOf("quay.io/a/b@" + DIGEST));
    assertEquals("mirror:5000/a/b", TargetImagesCheck.repositoryOf("mirror:5000/a/b"));
    assertEquals("mirror:5000/a/b", TargetImagesCheck.repositoryOf("mirror:5000/a/b:2"));
  }

  @Test
  void theRequestNamesImagesByDigestAndOnlyForOstree() throws Exception {
    TestHost h = new TestHost(root, true);
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode ok =
        json.valueToTree(requiring(h, h.commitTarget, List.of(IMAGE)));
    assertTrue(RequestValidator.validate(ok).isEmpty(), RequestValidator.validate(ok).toString());

    com.fasterxml.jackson.databind.node.ObjectNode tag = ok.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) tag.get("target")).putArray("requiredImages")
        .add("quay.io/microshift-update/operator:0.1.0");
    assertFalse(RequestValidator.validate(tag).isEmpty(), "a tag is not a digest");

    TestHost rpm = new TestHost(root.resolve("rpm"), false);
    com.fasterxml.jackson.databind.node.ObjectNode rpmReq = json.valueToTree(rpm.request());
    ((com.fasterxml.jackson.databind.node.ObjectNode) rpmReq.get("target")).putArray("requiredImages").add(IMAGE);
    assertTrue(RequestValidator.validate(rpmReq).toString().contains("only for type ostree"),
        RequestValidator.validate(rpmReq).toString());
  }
}
