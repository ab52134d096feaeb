package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Issue 19: type image in request.json (target.image, target.allowImageTag); the hostile values are in HostileMarkerTest. */
class ImageRequestTest {
  static final String IMAGE = "registry.example.com:5000/edge/microshift-bootc@sha256:" + "ab".repeat(32);
  static final String TAG = "registry.example.com/edge/microshift-bootc:4.17.3";

  private static Consumer<ObjectNode> image(String image, Boolean allowTag) {
    return n -> {
      n.put("type", "image");
      ObjectNode t = (ObjectNode) n.get("target");
      t.remove("ostreeRef");
      t.remove("ostreeCommit");
      t.put("image", image);
      if (allowTag != null) {
        t.put("allowImageTag", allowTag);
      }
    };
  }

  private static UpdateRequest imageRequest(String image, boolean allowTag) {
    UpdateRequest r = MarkerFilesTest.request();
    return new UpdateRequest(r.apiVersion(), r.plan(), r.sequence(), r.action(), UpdateRequest.UpdateType.IMAGE,
        r.from(), UpdateRequest.Target.image("4.17.3", image, allowTag, null), r.allowDowngrade(), r.backup(),
        r.healthCheckTimeoutSeconds(), r.backupRetention(), r.verification());
  }

  @Test
  void anImageByDigestIsValidAndRoundTrips() {
    assertEquals(List.of(), MarkerFilesTest.requestProblems(image(IMAGE, null)));
    UpdateRequest r = imageRequest(IMAGE, false);
    UpdateRequest back = MarkerJson.parseRequest(MarkerJson.serialize(MarkerCodec.Kind.REQUEST, r), "test");
    assertEquals(r, back);
    assertEquals("sha256:" + "ab".repeat(32), back.target().imageDigest());
  }

  /** distribution/reference normalize.go splitDockerDomain: a first component with a port is a registry host. */
  @Test
  void aRegistryNamedByHostAndPortAloneIsARegistry() {
    String digest = "@sha256:" + "ab".repeat(32);
    assertEquals(List.of(), MarkerFilesTest.requestProblems(image("myregistry:5000/edge/microshift-bootc" + digest, null)));
    assertEquals(List.of(), MarkerFilesTest.requestProblems(image("localhost/edge/microshift-bootc" + digest, null)));
    assertTrue(MarkerFilesTest.requestProblems(image("myregistry/edge/microshift-bootc" + digest, null)).stream()
        .anyMatch(p -> p.startsWith("target.image:")), "a first component without '.', port or localhost is no registry");
    assertTrue(MarkerFilesTest.requestProblems(image("myregistry:/edge/microshift-bootc" + digest, null)).stream()
        .anyMatch(p -> p.startsWith("target.image:")));
  }

  @Test
  void aTagNeedsAllowImageTag() {
    List<String> refused = MarkerFilesTest.requestProblems(image(TAG, null));
    assertTrue(refused.stream().anyMatch(p -> p.startsWith("target.image:") && p.contains("allowImageTag is not true")),
        refused.toString());
    assertTrue(MarkerFilesTest.requestProblems(image(TAG, false)).stream().anyMatch(p -> p.startsWith("target.image:")));
    assertEquals(List.of(), MarkerFilesTest.requestProblems(image(TAG, true)));
    assertEquals(null, imageRequest(TAG, true).target().imageDigest());
  }

  @Test
  void typeImageNeedsAnImageAndTakesNothingElse() {
    List<String> missing = MarkerFilesTest.requestProblems(n -> {
      n.put("type", "image");
      ((ObjectNode) n.get("target")).remove("ostreeCommit");
    });
    assertTrue(missing.contains("target.image: required"), missing.toString());
    assertTrue(missing.stream().anyMatch(p -> p.startsWith("target: type image takes image only")), missing.toString());
  }

  @Test
  void anImageIsRefusedForTheOtherTypes() {
    List<String> p = MarkerFilesTest.requestProblems(n -> ((ObjectNode) n.get("target")).put("image", IMAGE));
    assertTrue(p.stream().anyMatch(s -> s.startsWith("target.image: image and allowImageTag are only for type image")),
        p.toString());
    List<String> q = MarkerFilesTest.requestProblems(n -> ((ObjectNode) n.get("target")).put("allowImageTag", true));
    assertTrue(q.stream().anyMatch(s -> s.startsWith("target.image:")), q.toString());
  }

  @Test
  void theImageIsFixedOnceAccepted() {
    UpdateRequest accepted = imageRequest(IMAGE, false);
    UpdateRequest other = imageRequest(IMAGE.replace("ab", "cd"), false);
    assertEquals(List.of("target"), accepted.fixedFieldsDifferingFrom(other));
    assertEquals(List.of("target"), accepted.fixedFieldsDifferingFrom(imageRequest(IMAGE, true)));
    assertEquals(List.of(), accepted.fixedFieldsDifferingFrom(accepted.withAction(UpdateRequest.Action.Cancel, 9)));
  }
}
