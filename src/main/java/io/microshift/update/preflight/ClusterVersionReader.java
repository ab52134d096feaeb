package io.microshift.update.preflight;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.version.MicroShiftVersion;
import io.microshift.update.version.RhelCompatibility;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the running MicroShift version from the ConfigMap kube-public/microshift-version, and the
 * node's RHEL minor from its {@code status.nodeInfo.osImage}.
 */
public final class ClusterVersionReader {
  public static final String NAMESPACE = "kube-public";
  public static final String NAME = "microshift-version";

  private final KubernetesClient client;

  public ClusterVersionReader(KubernetesClient client) {
    this.client = client;
  }

  /** @throws IllegalStateException with a message that says what is missing */
  public MicroShiftVersion read() {
    ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName(NAME).get();
    if (cm == null || cm.getData() == null) {
      throw new IllegalStateException("ConfigMap " + NAMESPACE + "/" + NAME
          + " not found: is this MicroShift? (MicroShift creates it at start-up)");
    }
    return fromData(cm.getData());
  }

  /**
   * The RHEL X.Y of MicroShift's node (osImage "Red Hat Enterprise Linux 9.4 (Plow)"), or empty
   * when the node is not RHEL or cannot be read: the host agent checks the host's RHEL anyway.
   */
  public Optional<String> nodeRhel() {
    try {
      return client.nodes().list().getItems().stream()
          .map(ClusterVersionReader::osImage)
          .map(RhelCompatibility::fromOsImage)
          .flatMap(Optional::stream)
          .findFirst();
    } catch (KubernetesClientException e) {
      return Optional.empty();
    }
  }

  private static String osImage(Node n) {
    return n.getStatus() == null || n.getStatus().getNodeInfo() == null ? null : n.getStatus().getNodeInfo().getOsImage();
  }

  static MicroShiftVersion fromData(Map<String, String> data) {
    String version = data.get("version");
    if (version != null && !version.isBlank()) {
      // the version MicroShift was built with (pkg/controllers/version.go, VersionManager.Run):
      // 4.17.1, 4.18.0~rc.2 for an official pre-release (its rpm Version), 5.0.0-0.nightly-... for
      // a developer build; MicroShiftVersion reads all three
      return MicroShiftVersion.parse(version.trim());
    }
    String major = data.get("major");
    String minor = data.get("minor");
    String patch = data.getOrDefault("patch", "0");
    if (major == null || minor == null) {
      throw new IllegalStateException("ConfigMap " + NAMESPACE + "/" + NAME
          + " has neither 'version' nor 'major' and 'minor'");
    }
    return MicroShiftVersion.parse(major.trim() + "." + minor.trim() + "." + patch.trim());
  }
}
