package io.microshift.update.api;

/**
 * The whitelist patterns that both the CRD schema and the reconciler's own validation use. The
 * host agent applies the same rules again to request.json ({@code marker.Markers} compiles the
 * ostree ref, commit, package and repository patterns from these texts): it trusts nothing it
 * reads. A test checks that everything these accept, the marker accepts too.
 */
public final class Patterns {
  private Patterns() {}

  /**
   * MicroShift version: X.Y.Z with an optional pre-release suffix after '-' or '~': 4.17.3,
   * 4.18.0-rc.2 (the release name), 4.18.0~rc.2 (what an official pre-release build reports and its
   * rpm is versioned), 5.0.0-0.nightly-2026-07-23-224236-20260820112911-8e16b12 (a developer build);
   * see {@code version.MicroShiftVersion}.
   */
  public static final String VERSION =
      "^(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})\\.(0|[1-9][0-9]{0,3})([-~][0-9A-Za-z][0-9A-Za-z.-]{0,63})?$";

  /** An ostree ref with an optional remote: {@code rhel-edge:rhel/9/x86_64/edge}. */
  public static final String OSTREE_REF =
      "^([A-Za-z0-9][A-Za-z0-9_-]{0,63}:)?[A-Za-z0-9_][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9_][A-Za-z0-9._-]{0,63}){0,15}$";

  /** A full ostree commit checksum. */
  public static final String OSTREE_COMMIT = "^[0-9a-f]{64}$";

  /**
   * An rpm package spec for dnf: name or name-version[-release][.arch], optionally with an epoch
   * ({@code microshift-1:4.17.3}), and '~' for a pre-release's rpm version
   * ({@code microshift-4.18.0~rc.2}); no paths, URLs or options (never starts with '-').
   */
  public static final String PACKAGE =
      "^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}(-[0-9]{1,9}:[0-9A-Za-z._+~^-]{1,127})?$";

  /**
   * A dnf repository id (dnf's repo ids are letters, digits and {@code -_.:}), e.g.
   * rhocp-4.18-for-rhel-9-x86_64-rpms; never starts with '-', no globs, no commas (dnf's
   * {@code --enablerepo} would read a comma as a list and a glob as a pattern).
   */
  public static final String REPOSITORY = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$";

  /**
   * The registry and repository of a container image: a registry host that is unambiguous (it
   * has a '.' or a port, or is localhost: distribution/reference normalize.go
   * {@code splitDockerDomain} takes such a first component for the registry, and any other for a
   * Docker Hub path) and one or more lower-case path components; no scheme, no transport prefix, no
   * spaces, never starts with '-'.
   */
  private static final String HOST_LABEL = "[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?";
  private static final String IMAGE_REPOSITORY =
      "((localhost|" + HOST_LABEL + "(\\." + HOST_LABEL + ")+)(:[0-9]{1,5})?|" + HOST_LABEL + ":[0-9]{1,5})"
          + "(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*){1,16}";

  /** An image-mode target pinned by digest: {@code registry.example.com/edge/microshift@sha256:<64 hex>}. */
  public static final String TARGET_IMAGE_BY_DIGEST = "^" + IMAGE_REPOSITORY + "@sha256:[0-9a-f]{64}$";

  /** An image-mode target by tag ({@code registry.example.com/edge/microshift:4.18.2}): only with allowImageTag. */
  public static final String TARGET_IMAGE_BY_TAG = "^" + IMAGE_REPOSITORY + ":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

  /** Either form: the schema's pattern of spec.target.image (the tag form needs allowImageTag, a CEL rule). */
  public static final String TARGET_IMAGE = "^" + IMAGE_REPOSITORY
      + "(@sha256:[0-9a-f]{64}|:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$";

  /** The schema's maxLength of spec.target.image. */
  public static final int TARGET_IMAGE_MAX_LENGTH = 255;

  /** A duration such as 30s, 5m, 1h30m. */
  public static final String DURATION = "^([0-9]{1,6}(ms|s|m|h))+$";

  /** The schema's maxLength of every duration field (the pattern alone repeats without bound). */
  public static final int DURATION_MAX_LENGTH = 32;

  /** A namespace name (DNS label, RFC 1123). */
  public static final String NAMESPACE = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  /** A time of day, HH:MM, 24-hour clock. */
  public static final String TIME_OF_DAY = "^([01][0-9]|2[0-3]):[0-5][0-9]$";
}
