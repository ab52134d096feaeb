package io.microshift.update.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.microshift.update.marker.UpdateRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * ostree: refuses a staged target commit that does not carry the container images the request
 * requires ({@code target.requiredImages}: the operator's own image by digest). After the reboot
 * the operator must start from the image in the commit, without a registry: an image pulled
 * after the reboot makes the verification depend on the network at the worst moment.
 *
 * <p>Where the images are: image builder stores a blueprint's {@code [[containers]]} of an
 * rpm-ostree image in the containers-storage store {@code /usr/share/containers/storage} inside
 * the commit, because an ostree commit carries nothing of {@code /var} (osbuild/images,
 * pkg/distro image types, {@code osCustomizations}: {@code storagePath :=
 * "/usr/share/containers/storage"} when the image type is rpm-ostree and has containers), and
 * lists it as an additional image store for CRI-O. The store's index of images is
 * {@code overlay-images/images.json}: one record per image with its {@code digest}, its
 * {@code names} and the digests of its stored manifests in {@code big-data-digests} (containers/
 * storage images.go, {@code Image}). The image's digests are not written as such ({@code Digests}
 * is {@code json:"-"}): the store recomputes them on load from {@code digest} plus every
 * {@code big-data-digests} value whose key starts with {@code manifest} (images.go,
 * {@code recomputeDigests} and {@code bigDataNameIsManifest}). An image pulled by the digest of a
 * manifest list keeps the list under {@code manifest-sha256:...} beside the instance manifest
 * (containers/image storage/storage_image.go, {@code manifestBigDataKey}), so the list digest a
 * blueprint names is found there, not in {@code digest}.
 * It is read from the commit itself with {@code ostree cat}, before anything boots it.
 *
 * <p>Image mode (bootc) as MicroShift documents it instead copies each image with
 * {@code skopeo copy --preserve-digests docker://IMAGE dir:/usr/lib/containers/storage/<sha>} and
 * lists {@code IMAGE,<sha>} lines in {@code /usr/lib/containers/storage/image-list.txt}
 * (openshift/microshift docs/config/Containerfile.bootc-embedded-rhel9); a required image listed
 * there by its exact reference counts too.
 *
 * <p>An image matches when its digests hold the required digest and one of its names is in the
 * required repository, as CRI-O's storage lookup of {@code repo@digest} requires
 * (containers/image storage/storage_reference.go, {@code resolveImage}/{@code imageMatchesRepo}).
 */
public final class TargetImagesCheck {
  /** The image store of a commit built with {@code [[containers]]} (see the class comment). */
  public static final String STORE = "/usr/share/containers/storage";
  /** The store's image index, inside the commit. */
  public static final String IMAGES_JSON = STORE + "/overlay-images/images.json";
  /** MicroShift's image-mode list of embedded images (see the class comment). */
  public static final String IMAGE_LIST = "/usr/lib/containers/storage/image-list.txt";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HostContext ctx;

  public TargetImagesCheck(HostContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Throws {@link HostException} naming every required image that {@code commit} lacks; does
   * nothing for rpm requests, and logs that nothing was checked when the request requires no
   * image.
   */
  public void requireIn(UpdateRequest req, String commit) {
    if (!req.type().deploysOstree() || commit == null) {
      return;
    }
    List<String> required = req.target().requiredImagesOrEmpty();
    if (required.isEmpty()) {
      ctx.log().info("target images not checked: the request requires none (the operator did not know its"
          + " image by digest; see docs/install.md)");
      return;
    }
    JsonNode images = imagesOf(commit);
    String list = catOrNull(commit, IMAGE_LIST);
    List<String> listed = list == null ? List.of() : list.lines().map(l -> l.split(",", 2)[0].strip()).toList();
    List<String> missing = new ArrayList<>();
    for (String image : required) {
      if (!carries(images, image) && !listed.contains(image)) {
        missing.add(image);
      }
    }
    if (!missing.isEmpty()) {
      throw new HostException("the target commit " + commit + " does not carry " + String.join(", ", missing)
          + " in " + STORE + " (nor lists it in " + IMAGE_LIST + "); the operator could not start after the reboot without pulling it: add it to the"
          + " image blueprint as [[containers]] source = \"" + missing.get(0) + "\", build the commit again and"
          + " point the plan at it (docs/install.md)");
    }
    ctx.log().info("target commit " + commit + " carries " + String.join(", ", required));
  }

  /** A file of the commit, or null when the commit has none. */
  private String catOrNull(String commit, String path) {
    return ctx.ostree().cat(commit, path).orElse(null);
  }

  /** The commit's image index, or an empty array when the commit has no image store. */
  private JsonNode imagesOf(String commit) {
    String text = catOrNull(commit, IMAGES_JSON);
    if (text == null) {
      return JSON.createArrayNode();
    }
    try {
      JsonNode images = JSON.readTree(text);
      if (images == null || !images.isArray()) {
        throw new HostException(IMAGES_JSON + " of the target commit " + commit + " is not a JSON array");
      }
      return images;
    } catch (IOException e) {
      throw new HostException("cannot parse " + IMAGES_JSON + " of the target commit " + commit + ": "
          + e.getMessage(), e);
    }
  }

  /** Whether one record of {@code images} is {@code image} ({@code repo@sha256:...}). */
  static boolean carries(JsonNode images, String image) {
    int at = image.indexOf('@');
    String repo = image.substring(0, at);
    String digest = image.substring(at + 1);
    for (JsonNode record : images) {
      boolean digestOk = digest.equals(record.path("digest").asText());
      var manifests = record.path("big-data-digests").fields();
      while (manifests.hasNext()) {
        var item = manifests.next();
        digestOk |= item.getKey().startsWith("manifest") && digest.equals(item.getValue().asText());
      }
      boolean repoOk = false;
      for (JsonNode n : record.path("names")) {
        repoOk |= repo.equals(repositoryOf(n.asText()));
      }
      if (digestOk && repoOk) {
        return true;
      }
    }
    return false;
  }

  /** {@code registry/repo} of {@code registry/repo:tag} or {@code registry/repo@sha256:...}. */
  static String repositoryOf(String name) {
    int at = name.indexOf('@');
    String noDigest = at >= 0 ? name.substring(0, at) : name;
    int colon = noDigest.lastIndexOf(':');
    return colon > noDigest.lastIndexOf('/') ? noDigest.substring(0, colon) : noDigest;
  }
}
