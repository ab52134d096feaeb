package io.microshift.update.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link Image} through bootc as seen by the agent (bootc-dev/bootc): the commands it runs and the host
 * from {@code bootc status --json}. Every value read from bootc is checked before it is used.
 *
 * <ul>
 *   <li>{@code bootc status --json} (crates/lib/src/status.rs, {@code get_status}; the JSON of
 *       crates/lib/src/spec.rs, {@code Host}/{@code BootEntry}, camelCase): {@code status.booted},
 *       {@code status.staged}, {@code status.rollback}, each with {@code image.image.image} (the
 *       reference as given to switch), {@code image.imageDigest} (the manifest digest),
 *       {@code downloadOnly} (a staged deployment whose finalization is locked) and
 *       {@code ostree.checksum}. {@code status.booted.image} is null on a host that does not boot a
 *       container image (bootc docs/src/man/bootc-status.8.md: "check if status.booted is not
 *       null"; greenboot-rs src/lib/handler.rs, {@code detect_os_deployment}, tests
 *       {@code status.booted.image}).</li>
 *   <li>{@code bootc switch IMAGE} pulls and stages IMAGE; its finalization is never locked
 *       (crates/lib/src/cli.rs, {@code switch_ostree}: {@code deploy::stage(..., false)}), and it
 *       has no {@code --download-only}.</li>
 *   <li>{@code bootc upgrade --download-only} pulls the spec's image (the staged deployment's
 *       image first: status.rs, {@code get_status}, {@code spec = staged.or(booted)}) and, when the
 *       staged deployment already has that digest, locks its finalization (cli.rs, {@code upgrade}:
 *       {@code change_finalization} when {@code !staged.is_finalization_locked()}); ostree then does
 *       not finalize it at shutdown, so an unplanned reboot boots the current deployment.</li>
 *   <li>{@code bootc upgrade --from-downloaded --apply} unlocks the staged deployment without
 *       fetching and reboots (cli.rs, {@code upgrade}, {@code opts.from_downloaded}).</li>
 *   <li>{@code bootc rollback} swaps the boot order of the booted and the rollback deployment
 *       (crates/lib/src/deploy.rs, {@code rollback}); "No rollback available" without one.</li>
 * </ul>
 */
public final class Bootc implements Image {
  /**
   * Made at the first read of bootc's JSON, not when this class is loaded (as RpmOstree.Json): the
   * boot-path verbs build every host tool up front and most never call bootc, while an
   * ObjectMapper's set-up was a fifth of greenboot-check's start-up (docs/host.md, "Start-up").
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private static final Pattern DIGEST = Pattern.compile("^sha256:[0-9a-f]{64}$");
  /** {@code bootc --version}'s line (see {@link #version}). */
  private static final Pattern VERSION = Pattern.compile("^bootc (\\d{1,4}\\.\\d{1,4}\\.\\d{1,6})\\b", Pattern.MULTILINE);

  /** One boot entry: the image reference and its digest (null on a non-image deployment), the ostree checksum. */
  public record Entry(String image, String imageDigest, String checksum, boolean downloadOnly) {
    /** Whether this entry is {@code image}: by digest when it pins one, else by the reference as given. */
    public boolean is(String targetImage) {
      if (targetImage == null || image == null) {
        return false;
      }
      int at = targetImage.indexOf("@sha256:");
      return at >= 0 ? targetImage.substring(at + 1).equals(imageDigest) : targetImage.equals(image);
    }
  }

  /** What {@code bootc status --json} says. */
  public record Status(Optional<Entry> booted, Optional<Entry> staged, Optional<Entry> rollback) {
    /** Whether the booted system is a container image (image mode). */
    public boolean bootsImage() {
      return booted.map(e -> e.image() != null).orElse(false);
    }
  }

  private final CommandRunner runner;

  public Bootc(CommandRunner runner) {
    this.runner = runner;
  }

  /** One {@code bootc status --json}, parsed. */
  @Override
  public Status status() {
    CommandRunner.Result r = runner.check(List.of("bootc", "status", "--json"));
    try {
      JsonNode st = Json.MAPPER.readTree(r.stdout()).path("status");
      return new Status(entry(st, "booted"), entry(st, "staged"), entry(st, "rollback"));
    } catch (IOException e) {
      throw new HostException("cannot parse bootc status --json: " + e.getMessage(), e);
    }
  }

  private static Optional<Entry> entry(JsonNode status, String slot) {
    JsonNode e = status.get(slot);
    if (e == null || !e.isObject()) {
      return Optional.empty();
    }
    String checksum = e.path("ostree").path("checksum").asText("");
    if (!Markers.CHECKSUM.matcher(checksum).matches()) {
      throw new HostException("bootc status --json: unexpected status." + slot + ".ostree.checksum '"
          + Markers.printable(checksum, 80) + "'");
    }
    JsonNode image = e.get("image");
    String ref = null;
    String digest = null;
    if (image != null && image.isObject()) {
      ref = Markers.printable(image.path("image").path("image").asText(""), Markers.MAX_TARGET_IMAGE_CHARS + 50);
      digest = image.path("imageDigest").asText("");
      if (!DIGEST.matcher(digest).matches()) {
        throw new HostException("bootc status --json: unexpected status." + slot + ".image.imageDigest '"
            + Markers.printable(digest, 80) + "'");
      }
    }
    return Optional.of(new Entry(ref, digest, checksum, e.path("downloadOnly").asBoolean(false)));
  }

  /** {@code bootc switch IMAGE}: pull and stage IMAGE (not locked: see the class comment). */
  @Override
  public void switchTo(String image) {
    runner.check(List.of("bootc", "switch", image));
  }

  /** {@code bootc upgrade --download-only}: lock the finalization of the staged spec image. */
  @Override
  public void lockStaged() {
    runner.check(List.of("bootc", "upgrade", "--download-only"));
  }

  /** {@code bootc upgrade --from-downloaded --apply}: unlock the staged deployment and reboot. */
  @Override
  public void applyStaged() {
    runner.check(List.of("bootc", "upgrade", "--from-downloaded", "--apply"));
  }

  /** {@code bootc rollback}: the rollback deployment becomes the default. */
  @Override
  public void rollback() {
    runner.check(List.of("bootc", "rollback"));
  }

  /**
   * {@code bootc --version}: clap's "bootc VERSION" (crates/lib/src/cli.rs, {@code Opt}:
   * {@code #[clap(name = "bootc")]}, {@code #[clap(version)]}), VERSION the crate's.
   */
  @Override
  public Optional<String> version() {
    CommandRunner.Result r = runner.run(List.of("bootc", "--version"));
    Matcher m = VERSION.matcher(r.stdout());
    return r.ok() && m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * The first bootc that stages an image without applying it: {@code bootc upgrade
   * --download-only} and {@code --from-downloaded} came in v1.12.0 (bootc-dev/bootc c325582f,
   * a5784832; crates/lib/src/cli.rs, {@code UpgradeOpts}); an older bootc refuses the options.
   */
  private static final int DOWNLOAD_ONLY_MAJOR = 1;
  private static final int DOWNLOAD_ONLY_MINOR = 12;

  /** Whether bootc {@code version} ({@code MAJOR.MINOR.PATCH}) has the download-only staging. */
  static boolean stagesDownloadOnly(String version) {
    String[] p = version.split("\\.");
    int major = Integer.parseInt(p[0]);
    int minor = Integer.parseInt(p[1]);
    return major > DOWNLOAD_ONLY_MAJOR || (major == DOWNLOAD_ONLY_MAJOR && minor >= DOWNLOAD_ONLY_MINOR);
  }
}
