package io.microshift.update.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.api.MaintenanceWindow;
import io.microshift.update.api.Patterns;
import io.microshift.update.api.UpdatePlanSpec;
import io.microshift.update.api.UpdateTarget;
import io.microshift.update.api.UpdateType;
import io.microshift.update.api.WorkloadSelection;
import io.microshift.update.marker.Markers;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {

  static UpdatePlanSpec rpm(String version, String... packages) {
    UpdatePlanSpec s = new UpdatePlanSpec();
    s.type = UpdateType.RPM;
    s.target = new UpdateTarget(version);
    s.target.packages = List.of(packages);
    return s;
  }

  @Test
  void aValidRpmSpecHasNoProblems() {
    assertEquals(List.of(), SpecValidator.problems(rpm("4.17.3", "microshift-4.17.3", "microshift-networking-4.17.3")));
  }

  @Test
  void aPreReleaseIsInstalledByItsRpmVersion() {
    // an official pre-release's rpm is versioned 4.18.0~rc.2 (openshift/microshift
    // scripts/release-notes/gen_gh_releases_from_mirror.py); dnf reads microshift-4.18.0-rc.2 as
    // version 4.18.0, release rc.2, which no repository has
    for (String version : List.of("4.18.0-rc.2", "4.18.0~rc.2")) {
      assertEquals(List.of(), SpecValidator.problems(rpm(version, "microshift-4.18.0~rc.2")), version);
      List<String> problems = SpecValidator.problems(rpm(version, "microshift-4.18.0-rc.2"));
      assertEquals(1, problems.size(), problems.toString());
      assertTrue(problems.get(0).startsWith("spec.target.packages: must include microshift-4.18.0~rc.2: "), problems.get(0));
    }
  }

  @Test
  void everyProblemNamesItsField() {
    UpdatePlanSpec s = rpm("4.17.3", "--setopt=x", "microshift-4.17.2");
    s.target.ostreeRef = "a/../b";
    s.healthCheckTimeout = "5s";
    s.workloads = new WorkloadSelection();
    s.workloads.namespaces = List.of("Bad_NS");
    s.maintenanceWindow = new MaintenanceWindow();
    s.maintenanceWindow.start = "25:00";
    s.maintenanceWindow.duration = "2h";
    s.maintenanceWindow.timeZone = "Mars/Olympus";
    String all = String.join("\n", SpecValidator.problems(s));
    for (String field : List.of("spec.target.packages[0]", "spec.target.packages: must include microshift-4.17.3",
        "spec.target.ostreeRef: must not contain '..'", "ostreeRef and ostreeCommit are only for ostree",
        "spec.healthCheckTimeout", "spec.workloads.namespaces[0]", "spec.maintenanceWindow.start",
        "spec.maintenanceWindow.timeZone")) {
      assertTrue(all.contains(field), field + " missing in:\n" + all);
    }
  }

  @Test
  void whatTheCrdAcceptsTheHostAgentAcceptsToo() {
    assertEquals(Markers.OSTREE_REF.pattern(), Patterns.OSTREE_REF);
    assertEquals(Markers.PACKAGE.pattern(), Patterns.PACKAGE);
    assertEquals(Markers.CHECKSUM.pattern(), Patterns.OSTREE_COMMIT);
    assertEquals(Markers.TARGET_IMAGE_BY_DIGEST.pattern(), Patterns.TARGET_IMAGE_BY_DIGEST);
    assertEquals(Markers.TARGET_IMAGE_BY_TAG.pattern(), Patterns.TARGET_IMAGE_BY_TAG);
    Pattern schema = Pattern.compile(Patterns.TARGET_IMAGE);
    for (String image : List.of("registry.example.com/edge/microshift@sha256:" + "ab".repeat(32),
        "localhost:5000/microshift-bootc@sha256:" + "0".repeat(64), "quay.io/org/sub/img:4.17.3")) {
      assertTrue(schema.matcher(image).matches(), image);
      assertTrue(Markers.TARGET_IMAGE_BY_DIGEST.matcher(image).matches() || Markers.TARGET_IMAGE_BY_TAG.matcher(image).matches(), image);
    }
    Pattern api = Pattern.compile(Patterns.VERSION);
    for (String v : List.of("4.17.3", "4.18.0-rc.2", "4.18.0~rc.2", "0.0.0", "4.17.3-202410011200.p0",
        "5.0.0-0.nightly-2026-07-23-224236-20260820112911-8e16b12-dirty")) {
      assertTrue(api.matcher(v).matches(), v);
      assertTrue(Markers.VERSION.matcher(v).matches(), v);
    }
  }
}
