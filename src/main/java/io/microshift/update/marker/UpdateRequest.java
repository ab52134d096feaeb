package io.microshift.update.marker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * request.json, written only by the operator. See docs/marker.md for every field. Build one with
 * the canonical constructor; {@link MarkerFiles#writeRequest} validates it before writing.
 */
@JsonPropertyOrder({"apiVersion", "plan", "sequence", "action", "type", "from", "target",
    "allowDowngrade", "allowUnsupportedPath", "backup", "healthCheckTimeoutSeconds", "backupRetention", "verification",
    "bypassUpdateDriver", "dryRun"})
public record UpdateRequest(
    String apiVersion,
    Plan plan,
    long sequence,
    Action action,
    UpdateType type,
    From from,
    Target target,
    boolean allowDowngrade,
    Backup backup,
    int healthCheckTimeoutSeconds,
    int backupRetention,
    Verification verification,
    boolean allowUnsupportedPath,
    boolean bypassUpdateDriver,
    Boolean dryRun) {

  /** A request of an operator that predates dry-run Prepares carries no {@code dryRun}: false. */
  public UpdateRequest {
    dryRun = Boolean.TRUE.equals(dryRun);
  }

  /** A request that is no dry run. */
  public UpdateRequest(String apiVersion, Plan plan, long sequence, Action action, UpdateType type, From from,
      Target target, boolean allowDowngrade, Backup backup, int healthCheckTimeoutSeconds, int backupRetention,
      Verification verification, boolean allowUnsupportedPath, boolean bypassUpdateDriver) {
    this(apiVersion, plan, sequence, action, type, from, target, allowDowngrade, backup,
        healthCheckTimeoutSeconds, backupRetention, verification, allowUnsupportedPath, bypassUpdateDriver, false);
  }

  /** A request that keeps to the supported update paths and to rpm-ostree's update driver (both options false). */
  public UpdateRequest(String apiVersion, Plan plan, long sequence, Action action, UpdateType type, From from,
      Target target, boolean allowDowngrade, Backup backup, int healthCheckTimeoutSeconds, int backupRetention,
      Verification verification) {
    this(apiVersion, plan, sequence, action, type, from, target, allowDowngrade, backup,
        healthCheckTimeoutSeconds, backupRetention, verification, false, false, false);
  }

  /**
   * Prepare (before any hook or pause: check, download and stage without letting it take effect),
   * Apply (after the hooks and the pause: snapshot, stop, copy, finalize, reboot), Cancel.
   */
  public enum Action { Prepare, Apply, Cancel }

  public enum UpdateType {
    @JsonProperty("ostree") OSTREE,
    @JsonProperty("rpm") RPM,
    /** Image mode: bootc stages a container image, an ostree deployment underneath. */
    @JsonProperty("image") IMAGE;

    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Every type as the marker files write it: what a validator of {@code type} accepts. */
    public static List<String> jsonNames() {
      return java.util.Arrays.stream(values()).map(UpdateType::jsonName).toList();
    }

    /**
     * Whether the update stages an ostree deployment that the next boot may boot (ostree, and
     * image mode: bootc deploys the image's ostree commit), so that greenboot can roll it back.
     */
    public boolean deploysOstree() {
      return this != RPM;
    }
  }

  public enum VerificationResult { Passed, Failed, Pending }

  /**
   * rpm only: whether the host reboots after the install. {@code IfNeeded} (the default)
   * restarts MicroShift instead when the jump is a z-stream and dnf's {@code needs-restarting -r}
   * says no reboot is needed; {@code Always} reboots. See docs/host.md.
   */
  public enum Reboot { Always, IfNeeded }

  /** The UpdatePlan this request comes from. */
  public record Plan(String name, String uid, long generation) {}

  /** The MicroShift version the operator saw before the update. */
  public record From(String version) {}

  /**
   * The target. ostree: {@code ostreeRef} and/or {@code ostreeCommit}; rpm: {@code packages}
   * (must include {@code microshift-<version>}), the {@code repositories} dnf enables for the
   * transaction ({@code --enablerepo=ID}) and the {@code reboot} policy (null means IfNeeded).
   * Unused fields are null. ostree only: {@code requiredImages}, container images by digest
   * ({@code repo@sha256:...}; the operator's own) that the target commit must carry in its image
   * store, or the host refuses the target after staging it (host.TargetImagesCheck). image:
   * {@code image}, the bootable container image pinned by digest, or by tag when
   * {@code allowImageTag} is true (null otherwise).
   */
  @JsonPropertyOrder({"version", "ostreeRef", "ostreeCommit", "packages", "repositories", "reboot", "requiredImages",
      "image", "allowImageTag"})
  public record Target(String version, String ostreeRef, String ostreeCommit, List<String> packages,
      List<String> repositories, Reboot reboot, List<String> requiredImages, String image, Boolean allowImageTag) {
    /** A target of type ostree or rpm (no image). */
    public Target(String version, String ostreeRef, String ostreeCommit, List<String> packages,
        List<String> repositories, Reboot reboot, List<String> requiredImages) {
      this(version, ostreeRef, ostreeCommit, packages, repositories, reboot, requiredImages,
          null, null);
    }

    /** An image-mode target: {@code image} (by digest, or a tag with {@code allowImageTag}) and the images it must carry. */
    public static Target image(String version, String image, boolean allowImageTag, List<String> requiredImages) {
      return new Target(version, null, null, null, null, null, requiredImages, image, allowImageTag ? Boolean.TRUE : null);
    }

    /** The sha256 digest the image reference pins ({@code sha256:<64 hex>}), or null for a tag. */
    public String imageDigest() {
      int at = image == null ? -1 : image.indexOf("@sha256:");
      return at < 0 ? null : image.substring(at + 1);
    }

    /** A target that requires no image. */
    public Target(String version, String ostreeRef, String ostreeCommit, List<String> packages,
        List<String> repositories, Reboot reboot) {
      this(version, ostreeRef, ostreeCommit, packages, repositories, reboot, null);
    }

    /** A target without repositories and reboot policy (ostree, or rpm with the defaults). */
    public Target(String version, String ostreeRef, String ostreeCommit, List<String> packages) {
      this(version, ostreeRef, ostreeCommit, packages, null, null);
    }

    /** The images the target must carry; never null. */
    public List<String> requiredImagesOrEmpty() {
      return requiredImages == null ? List.of() : requiredImages;
    }

    /** The repositories to enable; never null. */
    public List<String> repositoriesOrEmpty() {
      return repositories == null ? List.of() : repositories;
    }

    /** The reboot policy; IfNeeded when unset. */
    public Reboot rebootOrDefault() {
      return reboot == null ? Reboot.IfNeeded : reboot;
    }
  }

  /**
   * The backup set. The snapshot's facts ({@code etcdSnapshotBytes}, {@code etcdSnapshotSha256},
   * {@code etcdRevision}) are there only when the operator took the snapshot itself (an operator
   * of the previous release); null means the host takes it on Apply ({@link #hostTakesSnapshot()}).
   */
  @JsonPropertyOrder({"id", "etcdSnapshotPath", "etcdSnapshotBytes", "etcdSnapshotSha256",
      "etcdRevision", "dataPath"})
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record Backup(String id, String etcdSnapshotPath, Long etcdSnapshotBytes,
      String etcdSnapshotSha256, Long etcdRevision, String dataPath) {
    /** A backup set whose etcd snapshot the host agent takes on Apply. */
    public static Backup takenByHost(String id) {
      return new Backup(id, Markers.etcdSnapshotPath(id), null, null, null, Markers.dataPath(id));
    }

    /** True when the request carries no snapshot: the host takes it on Apply. */
    public boolean hostTakesSnapshot() {
      return etcdSnapshotSha256 == null;
    }
  }

  /** The operator's verification after the reboot; counts only for the current boot id. */
  @JsonPropertyOrder({"sequence", "bootId", "result", "message", "time"})
  public record Verification(long sequence, String bootId, VerificationResult result,
      String message, String time) {}

  /** The same request with another action and sequence (e.g. a Cancel). */
  public UpdateRequest withAction(Action newAction, long newSequence) {
    return new UpdateRequest(apiVersion, plan, newSequence, newAction, type, from, target,
        allowDowngrade, backup, healthCheckTimeoutSeconds, backupRetention, verification, allowUnsupportedPath,
        bypassUpdateDriver, dryRun);
  }

  public UpdateRequest withVerification(Verification v) {
    return new UpdateRequest(apiVersion, plan, sequence, action, type, from, target,
        allowDowngrade, backup, healthCheckTimeoutSeconds, backupRetention, v, allowUnsupportedPath, bypassUpdateDriver,
        dryRun);
  }

  /**
   * Whether an accepted request with action {@code from} may be followed by one with action
   * {@code to} for the same plan (a higher sequence): exactly Prepare then Apply, and Prepare or
   * Apply then Cancel. The same action again (the same request rewritten) is no change.
   */
  public static boolean mayFollow(Action from, Action to) {
    return from == to || (from == Action.Prepare && to == Action.Apply) || (from != Action.Cancel && to == Action.Cancel);
  }

  /**
   * The fields fixed once the host accepted a request: everything but {@code sequence},
   * {@code action} and {@code verification} (UpdateRequestFixedFieldsTest holds every other
   * component here, in {@link #fixedFieldValues}'s order).
   */
  static final List<String> FIXED_FIELDS = List.of("apiVersion", "plan", "type", "from", "target",
      "allowDowngrade", "allowUnsupportedPath", "bypassUpdateDriver", "backup", "healthCheckTimeoutSeconds",
      "backupRetention", "dryRun");

  /**
   * This request's values of {@link #FIXED_FIELDS}, in its order. An array rather than a getter per
   * name: a method reference is a call site that the host agent's JVM links at its first call, some
   * 0.3 ms each on the boot path (docs/host.md, "Start-up").
   */
  private Object[] fixedFieldValues() {
    return new Object[] {apiVersion, plan, type, from, target, allowDowngrade, allowUnsupportedPath,
        bypassUpdateDriver, backup, healthCheckTimeoutSeconds, backupRetention, dryRun};
  }

  /** The fields fixed once the host accepted a request ({@link #FIXED_FIELDS}) that differ from {@code other}. */
  public List<String> fixedFieldsDifferingFrom(UpdateRequest other) {
    Object[] mine = fixedFieldValues();
    Object[] theirs = other.fixedFieldValues();
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < mine.length; i++) {
      if (!RecordEquality.equal(mine[i], theirs[i])) {
        out.add(FIXED_FIELDS.get(i));
      }
    }
    return out;
  }
}
