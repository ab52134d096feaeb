package io.microshift.update.operator;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.microshift.update.api.Durations;
import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.MaintenanceWindow;
import io.microshift.update.api.Patterns;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.marker.Markers;
import io.microshift.update.version.MicroShiftPackage;
import io.microshift.update.version.MicroShiftVersion;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a spec the way the CRD schema does, and what the schema cannot say. The API server
 * normally rejects bad plans before they get here; this catches the rest (and servers that do not
 * enforce the schema), naming the field and what to write instead. Every problem is one line that
 * starts with the field's path; the offending value is quoted shortened and with control
 * characters escaped.
 */
public final class SpecValidator {
  private static final Pattern VERSION = Pattern.compile(Patterns.VERSION);
  private static final Pattern REF = Pattern.compile(Patterns.OSTREE_REF);
  private static final Pattern COMMIT = Pattern.compile(Patterns.OSTREE_COMMIT);
  private static final Pattern IMAGE_BY_DIGEST = Pattern.compile(Patterns.TARGET_IMAGE_BY_DIGEST);
  private static final Pattern IMAGE_BY_TAG = Pattern.compile(Patterns.TARGET_IMAGE_BY_TAG);
  private static final Pattern PACKAGE = Pattern.compile(Patterns.PACKAGE);
  private static final Pattern REPOSITORY = Pattern.compile(Patterns.REPOSITORY);
  private static final Pattern NAMESPACE = Pattern.compile(Patterns.NAMESPACE);
  private static final Pattern DURATION = Pattern.compile(Patterns.DURATION);
  private static final Pattern TIME_OF_DAY = Pattern.compile(Patterns.TIME_OF_DAY);
  private static final Pattern LABEL_NAME = Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$");
  private static final Pattern LABEL_PREFIX =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$");
  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  static final long MIN_HEALTH_CHECK_SECONDS = Markers.MIN_HEALTH_CHECK_TIMEOUT_SECONDS;
  static final long MAX_HEALTH_CHECK_SECONDS = Markers.MAX_HEALTH_CHECK_TIMEOUT_SECONDS;
  /** Bounds of spec.workloads.drainTimeout and spec.hooks.defaultTimeout. */
  static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
  static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  /** Bounds of spec.maintenanceWindow.duration: shorter could never be caught open. */
  static final Duration MIN_WINDOW = Duration.ofMinutes(1);
  static final Duration MAX_WINDOW = Duration.ofDays(7);
  static final int MAX_PACKAGES = 64;
  static final int MAX_REPOSITORIES = 16;
  static final int MAX_NAMESPACES = 256;
  static final int MAX_MATCH_LABELS = 64;
  static final int MAX_MATCH_EXPRESSIONS = 64;
  static final int MAX_SELECTOR_VALUES = 64;

  private SpecValidator() {}

  public static List<String> problems(UpdatePlanSpec spec) {
    List<String> p = new ArrayList<>();
    if (spec == null) {
      p.add("spec: missing; set spec.type and spec.target (type ostree, image or rpm; target.version e.g. 4.17.3)");
      return p;
    }
    if (spec.unreadable != null) {
      p.add(spec.unreadable);
      return p;
    }
    if (spec.type == null) {
      p.add("spec.type: missing; use ostree, image or rpm");
    }
    UpdateTarget t = spec.target;
    if (t == null) {
      p.add("spec.target: missing; set spec.target.version, e.g. 4.17.3");
    } else {
      target(p, spec.type, t);
    }
    duration(p, "spec.healthCheckTimeout", spec.healthCheckTimeout,
        Duration.ofSeconds(MIN_HEALTH_CHECK_SECONDS), Duration.ofSeconds(MAX_HEALTH_CHECK_SECONDS),
        "greenboot's check waits this long");
    if (spec.workloads != null) {
      duration(p, "spec.workloads.drainTimeout", spec.workloads.drainTimeout, MIN_TIMEOUT, MAX_TIMEOUT, null);
      uniqueNames(p, "spec.workloads.namespaces", spec.workloads.namespaces, MAX_NAMESPACES,
          "; select by label (spec.workloads.selector) instead", NAMESPACE,
          "is not a namespace name (lower-case letters, digits and '-', at most 63, e.g. shop)", "namespace");
      selector(p, "spec.workloads.selector", spec.workloads.selector);
    }
    HookPolicy hooks = spec.hooks;
    if (hooks != null) {
      duration(p, "spec.hooks.defaultTimeout", hooks.defaultTimeout, MIN_TIMEOUT, MAX_TIMEOUT, null);
      if (hooks.parallelism != null && (hooks.parallelism < 1 || hooks.parallelism > 16)) {
        p.add("spec.hooks.parallelism: " + hooks.parallelism + " is out of range: must be between 1 and 16 (default 4)");
      }
    }
    if (spec.backup != null && Boolean.FALSE.equals(spec.backup.etcdSnapshot)) {
      p.add("spec.backup.etcdSnapshot: false is not supported by this version: the host agent only"
          + " hands off an update with a verified etcd snapshot in the backup set; remove the field");
    }
    if (spec.backup != null && spec.backup.retention != null
        && (spec.backup.retention < 1 || spec.backup.retention > 10)) {
      p.add("spec.backup.retention: " + spec.backup.retention + " is out of range: must be between 1 and 10 (backup sets kept on the device, default 2)");
    }
    MaintenanceWindow w = spec.maintenanceWindow;
    if (w != null) {
      window(p, w);
    }
    return p;
  }

  /**
   * A list of at most {@code max} distinct names, each matching {@code pattern}; {@code tooManyHint}
   * follows the count when there are too many, {@code notAName} follows a bad value, {@code noun}
   * names one entry in the duplicate message.
   */
  private static void uniqueNames(List<String> p, String field, List<String> values, int max, String tooManyHint,
      Pattern pattern, String notAName, String noun) {
    List<String> list = values == null ? List.of() : values;
    if (list.size() > max) {
      p.add(field + ": " + list.size() + " entries, at most " + max + " are allowed" + tooManyHint);
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String v = list.get(i);
      if (v == null || !pattern.matcher(v).matches()) {
        p.add(field + "[" + i + "]: " + quote(v) + " " + notAName);
      } else if (!seen.add(v)) {
        p.add(field + "[" + i + "]: " + quote(v) + " is listed twice; list each " + noun + " once");
      }
    }
  }

  private static void target(List<String> p, UpdateType type, UpdateTarget t) {
    if (t.version == null) {
      p.add("spec.target.version: missing; write the MicroShift version to update to, e.g. 4.17.3");
    } else if (!VERSION.matcher(t.version).matches()) {
      p.add("spec.target.version: " + quote(t.version)
          + " is not a MicroShift version; write X.Y.Z without a leading v, e.g. 4.17.3, 4.18.0-rc.2 or 4.18.0~rc.2");
    }
    if (t.ostreeRef != null && (t.ostreeRef.length() > 255 || !REF.matcher(t.ostreeRef).matches())) {
      p.add("spec.target.ostreeRef: " + quote(t.ostreeRef)
          + " is not an ostree ref; write [remote:]name/name..., e.g. rhel-edge:rhel/9/x86_64/edge");
    }
    if (t.ostreeRef != null && t.ostreeRef.contains("..")) {
      p.add("spec.target.ostreeRef: must not contain '..'; e.g. rhel-edge:rhel/9/x86_64/edge");
    }
    if (t.ostreeCommit != null && !COMMIT.matcher(t.ostreeCommit).matches()) {
      p.add("spec.target.ostreeCommit: " + quote(t.ostreeCommit)
          + " is not a commit checksum: must be 64 lower-case hex digits (as `ostree log` prints)");
    }
    List<String> packages = t.packages == null ? List.of() : t.packages;
    uniqueNames(p, "spec.target.packages", packages, MAX_PACKAGES, "", PACKAGE,
        "is not a package name; write name[-version], e.g. microshift-4.17.3 (no spaces, paths, URLs or leading '-')",
        "package");
    List<String> repositories = t.repositories == null ? List.of() : t.repositories;
    uniqueNames(p, "spec.target.repositories", repositories, MAX_REPOSITORIES, "", REPOSITORY,
        "is not a dnf repository id; write the id `dnf repolist --all` shows, e.g. rhocp-4.18-for-rhel-9-x86_64-rpms"
            + " (letters, digits and -_.:, no globs, commas or leading '-')",
        "repository");
    if (type == UpdateType.OSTREE && (!repositories.isEmpty() || t.reboot != null)) {
      p.add("spec.target.repositories and spec.target.reboot: only for rpm updates");
    }
    if (type == UpdateType.OSTREE) {
      if (t.ostreeRef == null && t.ostreeCommit == null) {
        p.add("spec.target: an ostree update needs ostreeRef or ostreeCommit, e.g. ostreeRef: rhel-edge:rhel/9/x86_64/edge");
      }
      if (!packages.isEmpty()) {
        p.add("spec.target.packages: only for rpm updates; an ostree update takes ostreeRef or ostreeCommit");
      }
    }
    image(p, type, t, packages, repositories);
    if (type == UpdateType.RPM) {
      Optional<MicroShiftVersion> target = t.version != null && VERSION.matcher(t.version).matches()
          ? Optional.of(MicroShiftVersion.parse(t.version)) : Optional.empty();
      if (packages.isEmpty()) {
        p.add("spec.target.packages: an rpm update needs the exact package set to install, e.g. [microshift-"
            + target.map(MicroShiftVersion::rpmVersion).orElse("4.17.3") + "]");
      }
      if (t.ostreeRef != null || t.ostreeCommit != null) {
        p.add("spec.target: ostreeRef and ostreeCommit are only for ostree updates; remove them or use type ostree");
      }
      if (!packages.isEmpty() && target.isPresent() && !MicroShiftPackage.anyNames(packages, target.get())) {
        p.add("spec.target.packages: " + MicroShiftPackage.missing(target.get()) + " (spec.target.version is "
            + t.version + ")");
      }
    }
  }

  /**
   * spec.target.image: an image update names only the image, pinned by digest unless
   * allowImageTag (a tag can move between the canary and the fleet); no other type takes one.
   */
  private static void image(List<String> p, UpdateType type, UpdateTarget t, List<String> packages,
      List<String> repositories) {
    boolean tagAllowed = Boolean.TRUE.equals(t.allowImageTag);
    if (t.image != null) {
      boolean byDigest = t.image.length() <= Patterns.TARGET_IMAGE_MAX_LENGTH && IMAGE_BY_DIGEST.matcher(t.image).matches();
      boolean byTag = t.image.length() <= Patterns.TARGET_IMAGE_MAX_LENGTH && IMAGE_BY_TAG.matcher(t.image).matches();
      if (byTag && !tagAllowed) {
        p.add("spec.target.image: " + quote(t.image) + " names a tag, which can move between the canary and the fleet;"
            + " pin it by digest (registry/repository@sha256:<64 hex>, as `skopeo inspect` prints it), or set"
            + " spec.target.allowImageTag: true to update to the tag anyway");
      } else if (!byDigest && !byTag) {
        p.add("spec.target.image: " + quote(t.image) + " is not an image reference; write"
            + " registry.example.com/repository@sha256:<64 hex> (a registry host with a '.' or a port, lower-case"
            + " path components, at most " + Patterns.TARGET_IMAGE_MAX_LENGTH + " characters, no transport prefix)");
      }
    }
    if (tagAllowed && t.image == null) {
      p.add("spec.target.allowImageTag: only for an image-mode target; set spec.target.image or remove it");
    }
    if (type == UpdateType.IMAGE) {
      if (t.image == null) {
        p.add("spec.target: an image update needs spec.target.image, e.g. image:"
            + " registry.example.com/edge/microshift@sha256:<64 hex>");
      }
      if (t.ostreeRef != null || t.ostreeCommit != null || !packages.isEmpty() || !repositories.isEmpty()
          || t.reboot != null) {
        p.add("spec.target: an image update takes spec.target.image only; remove ostreeRef, ostreeCommit, packages,"
            + " repositories and reboot, or use type ostree or rpm");
      }
    } else if (t.image != null && type != null) {
      p.add("spec.target.image: only for image updates; use type image, or remove it for a " + type.value() + " update");
    }
  }

  private static void selector(List<String> p, String field, LabelSelector s) {
    if (s == null) {
      return;
    }
    Map<String, String> labels = s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
    if (labels.size() > MAX_MATCH_LABELS) {
      p.add(field + ".matchLabels: " + labels.size() + " labels, at most " + MAX_MATCH_LABELS + " are allowed");
    } else {
      for (Map.Entry<String, String> e : labels.entrySet()) {
        String key = field + ".matchLabels[" + quote(e.getKey()) + "]";
        labelKey(p, key, e.getKey());
        if (e.getValue() == null || !LABEL_VALUE.matcher(e.getValue()).matches()) {
          p.add(key + ": value " + quote(e.getValue()) + " is not a label value (at most 63 letters, digits,"
              + " '-', '_' or '.', starting and ending with a letter or digit, e.g. web)");
        }
      }
    }
    List<LabelSelectorRequirement> exprs = s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions();
    if (exprs.size() > MAX_MATCH_EXPRESSIONS) {
      p.add(field + ".matchExpressions: " + exprs.size() + " entries, at most " + MAX_MATCH_EXPRESSIONS + " are allowed");
      return;
    }
    for (int i = 0; i < exprs.size(); i++) {
      String at = field + ".matchExpressions[" + i + "]";
      LabelSelectorRequirement r = exprs.get(i);
      if (r == null) {
        p.add(at + ": empty; write key, operator and values, e.g. {key: app, operator: In, values: [web]}");
        continue;
      }
      labelKey(p, at + ".key", r.getKey());
      List<String> values = r.getValues() == null ? List.of() : r.getValues();
      String op = r.getOperator();
      if (op == null || !OPERATORS.contains(op)) {
        p.add(at + ".operator: " + quote(op) + " is not an operator; use In, NotIn, Exists or DoesNotExist");
      } else if ((op.equals("In") || op.equals("NotIn")) && values.isEmpty()) {
        p.add(at + ".values: " + op + " needs at least one value, e.g. [web]");
      } else if ((op.equals("Exists") || op.equals("DoesNotExist")) && !values.isEmpty()) {
        p.add(at + ".values: must be empty for " + op + "; remove the values");
      }
      if (values.size() > MAX_SELECTOR_VALUES) {
        p.add(at + ".values: " + values.size() + " entries, at most " + MAX_SELECTOR_VALUES + " are allowed");
        continue;
      }
      for (int j = 0; j < values.size(); j++) {
        String v = values.get(j);
        if (v == null || !LABEL_VALUE.matcher(v).matches()) {
          p.add(at + ".values[" + j + "]: " + quote(v) + " is not a label value (at most 63 letters, digits,"
              + " '-', '_' or '.', starting and ending with a letter or digit, e.g. web)");
        }
      }
    }
  }

  /** A label key: [prefix/]name, the prefix a DNS subdomain of at most 253 characters. */
  private static void labelKey(List<String> p, String field, String key) {
    boolean ok = key != null && !key.isEmpty();
    if (ok) {
      int slash = key.indexOf('/');
      String name = slash < 0 ? key : key.substring(slash + 1);
      String prefix = slash < 0 ? null : key.substring(0, slash);
      ok = LABEL_NAME.matcher(name).matches()
          && (prefix == null || (prefix.length() <= 253 && LABEL_PREFIX.matcher(prefix).matches()));
    }
    if (!ok) {
      p.add(field + ": key " + quote(key) + " is not a label key; write [prefix/]name, e.g. app or"
          + " example.com/tier (name: at most 63 letters, digits, '-', '_' or '.')");
    }
  }

  private static void window(List<String> p, MaintenanceWindow w) {
    if (w.start == null) {
      p.add("spec.maintenanceWindow.start: missing; write HH:MM on the 24-hour clock, e.g. 02:00");
    } else if (!TIME_OF_DAY.matcher(w.start).matches()) {
      p.add("spec.maintenanceWindow.start: " + quote(w.start) + " is not HH:MM on the 24-hour clock, e.g. 02:00");
    }
    if (w.duration == null) {
      p.add("spec.maintenanceWindow.duration: missing; write how long the window stays open, e.g. 2h");
    } else {
      duration(p, "spec.maintenanceWindow.duration", w.duration, MIN_WINDOW, MAX_WINDOW,
          "a shorter window could never be caught open");
    }
    if (w.days != null) {
      for (int i = 0; i < w.days.size(); i++) {
        if (w.days.get(i) == null) {
          p.add("spec.maintenanceWindow.days[" + i + "]: empty; use Mon, Tue, Wed, Thu, Fri, Sat or Sun");
        } else if (w.days.indexOf(w.days.get(i)) < i) {
          p.add("spec.maintenanceWindow.days[" + i + "]: " + w.days.get(i) + " is listed twice; list each day once");
        }
      }
    }
    if (w.timeZone != null) {
      boolean ok = w.timeZone.length() <= 64;
      if (ok) {
        try {
          ZoneId.of(w.timeZone);
        } catch (DateTimeException e) {
          ok = false;
        }
      }
      if (!ok) {
        p.add("spec.maintenanceWindow.timeZone: " + quote(w.timeZone)
            + " is not an IANA time zone; write e.g. Europe/Berlin or UTC");
      }
    }
  }

  /** A duration in {@link Patterns#DURATION} syntax (checked as written: no trimming) within bounds. */
  private static void duration(List<String> problems, String field, String value, Duration min, Duration max,
      String why) {
    if (value == null) {
      return;
    }
    String bounds = "between " + format(min) + " and " + format(max);
    if (value.length() > Patterns.DURATION_MAX_LENGTH || !DURATION.matcher(value).matches()) {
      problems.add(field + ": invalid duration " + quote(value) + "; write a number and a unit (ms, s, m, h),"
          + " e.g. 30s, 5m or 1h30m, " + bounds);
      return;
    }
    Duration d;
    try {
      d = Durations.parse(value);
    } catch (IllegalArgumentException | ArithmeticException e) {
      problems.add(field + ": invalid duration " + quote(value) + ": must be more than 0 and " + bounds);
      return;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problems.add(field + ": " + quote(value) + " is out of range; it must be " + bounds
          + (why == null ? "" : " (" + why + ")"));
    }
  }

  private static String format(Duration d) {
    if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
      return d.toHours() + "h";
    }
    if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
      return d.toHours() + "h";
    }
    if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }

  /**
   * The value in quotes for a message: at most 64 code points, control and invisible characters
   * escaped per code point ({@link io.microshift.update.marker.SafeText#unsafe}, and newline):
   * {@code \\u202e}, above U+FFFF {@code \\u{e0041}}.
   */
  static String quote(String value) {
    if (value == null) {
      return "(null)";
    }
    StringBuilder b = new StringBuilder("'");
    int[] codePoints = value.codePoints().limit(64).toArray();
    int used = 0;
    for (int c : codePoints) {
      used += Character.charCount(c);
      if (c < 0x20 || io.microshift.update.marker.SafeText.unsafe(c)) {
        b.append(c > 0xffff ? String.format("\\u{%x}", c) : String.format("\\u%04x", c));
      } else {
        b.appendCodePoint(c);
      }
    }
    int limit = used;
    if (value.length() > limit) {
      b.append("...' (").append(value.length()).append(" characters)");
    } else {
      b.append('\'');
    }
    return b.toString();
  }
}
