package io.microshift.update.operator.adapter;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.microshift.update.marker.Markers;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's own image by digest ({@code repo@sha256:...}), which every ostree target commit
 * must carry (request.json {@code target.requiredImages}; host.TargetImagesCheck). The Downward
 * API cannot give a container its image, so it is found, in this order:
 * <ol>
 *   <li>{@code OPERATOR_IMAGE}, when set: it must be an image by digest;</li>
 *   <li>the operator's own pod ({@code POD_NAME}, from the Downward API, in
 *       {@code OPERATOR_NAMESPACE}): its container's {@code image} when that names a digest (the
 *       packaged manifests do), else the digest the kubelet reports in the container's
 *       {@code status.imageID} (CRI-O: {@code repo@sha256:...}) with the spec's repository.</li>
 * </ol>
 * When neither gives one, ostree plans are not checked for the image, and a warning says so.
 */
public final class OperatorImage {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorImage.class);
  /** The operator's container in manifests/deployment.yaml. */
  public static final String CONTAINER = "operator";

  private OperatorImage() {}

  /**
   * {@link #resolve}, once, when first asked (by the first ostree or image plan), not at start: its
   * read of the operator's pod binds fabric8's Pod model, whose Jackson deserializers (the whole pod
   * graph) are the same cost PodWatch no longer pays before ready (about 0.2 CPU-s measured there;
   * not measured here: the footprint bench sets no POD_NAME).
   */
  public static Supplier<Optional<String>> lazily(KubernetesClient client, Map<String, String> env) {
    Map<String, String> copy = Map.copyOf(env);
    // Guava (in the jar for gRPC) memoizes thread-safely and retries after a failed read
    return com.google.common.base.Suppliers.memoize(() -> resolve(client, copy));
  }

  public static Optional<String> resolve(KubernetesClient client, Map<String, String> env) {
    String explicit = env.getOrDefault("OPERATOR_IMAGE", "").strip();
    if (!explicit.isEmpty()) {
      if (Markers.IMAGE_BY_DIGEST.matcher(explicit).matches()) {
        return Optional.of(explicit);
      }
      LOG.warn("OPERATOR_IMAGE={} is not an image by digest (registry/repository@sha256:<64 hex>):"
          + " ostree targets are not checked for the operator image", Markers.printable(explicit, 200));
      return Optional.empty();
    }
    String namespace = env.getOrDefault("OPERATOR_NAMESPACE", "");
    String podName = env.getOrDefault("POD_NAME", "");
    if (namespace.isEmpty() || podName.isEmpty()) {
      LOG.warn("neither OPERATOR_IMAGE nor POD_NAME and OPERATOR_NAMESPACE are set: ostree targets are not"
          + " checked for the operator image (manifests/deployment.yaml sets POD_NAME)");
      return Optional.empty();
    }
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
      Optional<String> image = pod == null ? Optional.empty() : ofPod(pod);
      if (image.isEmpty()) {
        LOG.warn("pod {}/{} names no image by digest for container {}: ostree targets are not checked for"
            + " the operator image (reference it by digest, docs/install.md)", namespace, podName, CONTAINER);
      }
      return image;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read pod {}/{} ({}): ostree targets are not checked for the operator image",
          namespace, podName, e.getMessage());
      return Optional.empty();
    }
  }

  /** The image by digest of the pod's operator container, from its spec or its status. */
  static Optional<String> ofPod(Pod pod) {
    Optional<String> specImage = pod.getSpec() == null ? Optional.empty() : pod.getSpec().getContainers().stream()
        .filter(c -> CONTAINER.equals(c.getName())).map(Container::getImage).findFirst();
    if (specImage.isEmpty()) {
      return Optional.empty();
    }
    if (Markers.IMAGE_BY_DIGEST.matcher(specImage.get()).matches()) {
      return specImage;
    }
    String repo = repositoryOf(specImage.get());
    Optional<String> imageId = pod.getStatus() == null ? Optional.empty() : pod.getStatus().getContainerStatuses()
        .stream().filter(s -> CONTAINER.equals(s.getName())).map(ContainerStatus::getImageID).findFirst();
    return imageId.map(id -> id.replaceFirst("^docker-pullable://", ""))
        .filter(id -> id.contains("@sha256:"))
        .map(id -> repo + id.substring(id.indexOf('@')))
        .filter(i -> Markers.IMAGE_BY_DIGEST.matcher(i).matches());
  }

  /** {@code registry/repo} of {@code registry/repo:tag}, {@code registry/repo@sha256:...} or {@code registry/repo}. */
  static String repositoryOf(String image) {
    int at = image.indexOf('@');
    String noDigest = at >= 0 ? image.substring(0, at) : image;
    int colon = noDigest.lastIndexOf(':');
    return colon > noDigest.lastIndexOf('/') ? noDigest.substring(0, colon) : noDigest;
  }
}
