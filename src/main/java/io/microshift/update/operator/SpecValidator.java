package io.microshift.update.operator;

import io.microshift.update.api.Durations;

import io.microshift.update.api.HookPolicy;
import io.microshift.update.api.MaintenanceWindow;
import io.microshift.update.api.Patterns;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.marker.Markers;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validates a spec the way the CRD schema does, and what the schema cannot say. The API server
 * normally rejects bad plans before they get here; this catches the rest (and servers that do not
 * enforce the schema), naming the field and what to write instead.
 */
public final class SpecValidator {
  private static final Pattern VERSION = Pattern.compile(Patterns.VERSION);
  private static final Pattern REF = Pattern.compile(Patterns.OSTREE_REF);
  private static final Pattern COMMIT = Pattern.compile(Patterns.OSTREE_COMMIT);
  private static final Pattern PACKAGE = Pattern.compile(Patterns.PACKAGE);
  private static final Pattern NAMESPACE = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  static final long MIN_HEALTH_CHECK_SECONDS = Markers.MIN_HEALTH_CHECK_TIMEOUT_SECONDS;
  static final long MAX_HEALTH_CHECK_SECONDS = Markers.MAX_HEALTH_CHECK_TIMEOUT_SECONDS;

  private SpecValidator() {}

  public static List<String> problems(UpdatePlanSpec spec) {
    List<String> p = new ArrayList<>();
    if (spec == null) {
      p.add("spec: missing; set spec.type and spec.target");
      return p;
    }
    if (spec.type == null) {
      p.add("spec.type: missing; use ostree or rpm");
    }
    UpdateTarget t = spec.target;
    if (t == null) {
      p.add("spec.target: missing; set spec.target.version");
      return p;
    }
    if (t.version == null || !VERSION.matcher(t.version).matches()) {
      p.add("spec.target.version: '" + t.version + "' is not a MicroShift version such as 4.17.3");
    }
    if (t.ostreeRef != null && (t.ostreeRef.length() > 255 || !REF.matcher(t.ostreeRef).matches())) {
      p.add("spec.target.ostreeRef: '" + t.ostreeRef + "' is not an ostree ref such as rhel-edge:rhel/9/x86_64/edge");
    }
    if (t.ostreeRef != null && t.ostreeRef.contains("..")) {
      p.add("spec.target.ostreeRef: must not contain '..'");
    }
    if (t.ostreeCommit != null && !COMMIT.matcher(t.ostreeCommit).matches()) {
      p.add("spec.target.ostreeCommit: must be 64 lower-case hex digits");
    }
    List<String> packages = t.packages == null ? List.of() : t.packages;
    if (packages.size() > 64) {
      p.add("spec.target.packages: at most 64 packages");
    }
    for (int i = 0; i < packages.size(); i++) {
      String pkg = packages.get(i);
      if (pkg == null || !PACKAGE.matcher(pkg).matches()) {
        p.add("spec.target.packages[" + i + "]: '" + pkg + "' is not a package name such as microshift-4.17.3");
      }
    }
    if (spec.type == UpdateType.OSTREE) {
      if (t.ostreeRef == null && t.ostreeCommit == null) {
        p.add("spec.target: an ostree update needs ostreeRef or ostreeCommit");
      }
      if (!packages.isEmpty()) {
        p.add("spec.target.packages: only for rpm updates; an ostree update takes ostreeRef or ostreeCommit");
      }
    }
    if (spec.type == UpdateType.RPM) {
      if (packages.isEmpty()) {
        p.add("spec.target.packages: an rpm update needs the exact package set to install");
      }
      if (t.ostreeRef != null || t.ostreeCommit != null) {
        p.add("spec.target: ostreeRef and ostreeCommit are only for ostree updates");
      }
      if (!packages.isEmpty() && t.version != null && packages.stream().noneMatch(pkg -> pkg != null
          && (pkg.equals("microshift-" + t.version) || pkg.startsWith("microshift-" + t.version + "-")))) {
        p.add("spec.target.packages: must include microshift-" + t.version + " (the version in spec.target.version)");
      }
    }
    duration(p, "spec.healthCheckTimeout", spec.healthCheckTimeout);
    if (spec.healthCheckTimeout != null && spec.healthCheckTimeout.matches(Patterns.DURATION)) {
      long seconds = Durations.parse(spec.healthCheckTimeout).toSeconds();
      if (seconds < MIN_HEALTH_CHECK_SECONDS || seconds > MAX_HEALTH_CHECK_SECONDS) {
        p.add("spec.healthCheckTimeout: must be between 1m and 1h (greenboot's check waits this long)");
      }
    }
    if (spec.workloads != null) {
      duration(p, "spec.workloads.drainTimeout", spec.workloads.drainTimeout);
      List<String> namespaces = spec.workloads.namespaces == null ? List.of() : spec.workloads.namespaces;
      for (int i = 0; i < namespaces.size(); i++) {
        if (namespaces.get(i) == null || !NAMESPACE.matcher(namespaces.get(i)).matches()) {
          p.add("spec.workloads.namespaces[" + i + "]: '" + namespaces.get(i) + "' is not a namespace name");
        }
      }
    }
    HookPolicy hooks = spec.hooks;
    if (hooks != null) {
      duration(p, "spec.hooks.defaultTimeout", hooks.defaultTimeout);
      if (hooks.parallelism != null && (hooks.parallelism < 1 || hooks.parallelism > 16)) {
        p.add("spec.hooks.parallelism: must be between 1 and 16");
      }
    }
    if (spec.backup != null && Boolean.FALSE.equals(spec.backup.etcdSnapshot)) {
      p.add("spec.backup.etcdSnapshot: false is not supported by this version: the host agent only"
          + " hands off an update with a verified etcd snapshot in the backup set; remove the field");
    }
    if (spec.backup != null && spec.backup.retention != null
        && (spec.backup.retention < 1 || spec.backup.retention > 10)) {
      p.add("spec.backup.retention: must be between 1 and 10");
    }
    MaintenanceWindow w = spec.maintenanceWindow;
    if (w != null) {
      if (w.start == null || !w.start.matches(Patterns.TIME_OF_DAY)) {
        p.add("spec.maintenanceWindow.start: '" + w.start + "' is not HH:MM");
      }
      if (w.duration == null) {
        p.add("spec.maintenanceWindow.duration: missing, e.g. 2h");
      } else {
        duration(p, "spec.maintenanceWindow.duration", w.duration);
      }
      if (w.timeZone != null) {
        try {
          ZoneId.of(w.timeZone);
        } catch (DateTimeException e) {
          p.add("spec.maintenanceWindow.timeZone: '" + w.timeZone + "' is not an IANA time zone such as Europe/Berlin");
        }
      }
    }
    return p;
  }

  private static void duration(List<String> problems, String field, String value) {
    if (value == null) {
      return;
    }
    try {
      Durations.parse(value);
    } catch (IllegalArgumentException e) {
      problems.add(field + ": " + e.getMessage());
    }
  }
}
