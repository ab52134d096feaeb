package io.microshift.update.manifests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders {@code manifests/} with {@code kubectl kustomize} and checks what it deploys: the
 * objects, the exact RBAC the operator's ServiceAccount gets, the Deployment's shape, the CRD
 * copy and the Containerfile. Needs {@code kubectl} on the PATH (or {@code $KUBECTL}).
 */
class ManifestsTest {
  static final Path MANIFESTS = Path.of("manifests");
  static final Path CRD = Path.of("crds/updateplans.updates.microshift.io-v1.yml");
  static final Path CRD_COPY = MANIFESTS.resolve(CRD.getFileName());
  static final Path CONTAINERFILE = Path.of("operator/Containerfile");

  static final String NS = "microshift-update";
  static final String SA = "microshift-update-operator";
  static final String IMAGE = "quay.io/microshift-update/operator:0.1.0";
  static final String STATE_DIR = "/var/lib/microshift-update";
  static final String CLUSTER = "<cluster>";

  static List<JsonNode> objects;

  @BeforeAll
  static void render() throws Exception {
    objects = kustomize(MANIFESTS);
  }

  // ---------------------------------------------------------------- objects

  @Test
  void rendersExactlyTheExpectedObjects() {
    Set<String> expected = new TreeSet<>(List.of(
        "Namespace//" + NS,
        "CustomResourceDefinition//updateplans.updates.microshift.io",
        "ServiceAccount/" + NS + "/" + SA,
        "ClusterRole//" + SA,
        "ClusterRoleBinding//" + SA,
        "ClusterRole//microshift-update-updateplans-view",
        "ClusterRole//microshift-update-updateplans-admin",
        "Role/" + NS + "/" + SA + "-leader-election",
        "RoleBinding/" + NS + "/" + SA + "-leader-election",
        "Role/" + NS + "/" + SA + "-scc",
        "RoleBinding/" + NS + "/" + SA + "-scc",
        "Role/default/" + SA + "-events",
        "RoleBinding/default/" + SA + "-events",
        "Role/kube-public/" + SA + "-version",
        "RoleBinding/kube-public/" + SA + "-version",
        "SecurityContextConstraints//" + SA,
        "Deployment/" + NS + "/" + SA,
        "Service/" + NS + "/" + SA + "-metrics"));
    Set<String> actual = new TreeSet<>();
    for (JsonNode o : objects) {
      actual.add(o.path("kind").asText() + "/" + o.at("/metadata/namespace").asText("")
          + "/" + o.at("/metadata/name").asText());
    }
    assertEquals(expected, actual);
  }

  @Test
  void namespaceAdmitsThePodThroughItsOwnSccOnly() {
    JsonNode labels = one("Namespace", "", NS).at("/metadata/labels");
    assertEquals("privileged", labels.path("pod-security.kubernetes.io/enforce").asText());
    assertEquals("false", labels.path("security.openshift.io/scc.podSecurityLabelSync").asText());

    JsonNode scc = one("SecurityContextConstraints", "", SA);
    assertTrue(scc.path("allowHostDirVolumePlugin").asBoolean());
    for (String off : List.of("allowPrivilegedContainer", "allowPrivilegeEscalation",
        "allowHostPID", "allowHostIPC", "allowHostNetwork", "allowHostPorts")) {
      assertTrue(scc.has(off) && !scc.path(off).asBoolean(), off + " must be false");
    }
    assertTrue(scc.path("allowedCapabilities").isNull() || scc.path("allowedCapabilities").isEmpty(),
        "no capability may be added");
    assertEquals(List.of("ALL"), texts(scc.path("requiredDropCapabilities")));
    assertTrue(scc.path("readOnlyRootFilesystem").asBoolean());
    assertEquals("MustRunAs", scc.at("/runAsUser/type").asText());
    assertEquals(0, scc.at("/runAsUser/uid").asInt(-1));
    assertEquals(List.of("runtime/default"), texts(scc.path("seccompProfiles")));
    assertEquals(new TreeSet<>(List.of("hostPath", "emptyDir", "projected")),
        new TreeSet<>(texts(scc.path("volumes"))));
    assertTrue(scc.path("users").isEmpty() && scc.path("groups").isEmpty(),
        "the SCC is granted through RBAC `use` only, not through users/groups");
  }

  // ---------------------------------------------------------------- RBAC

  /** One permission: in a namespace (or {@link #CLUSTER}), on a resource, a verb, maybe one name. */
  record Grant(String scope, String group, String resource, String verb, String name)
      implements Comparable<Grant> {
    @Override
    public int compareTo(Grant o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return scope + " " + (group.isEmpty() ? "core" : group) + "/" + resource + " " + verb
          + (name.isEmpty() ? "" : " [" + name + "]");
    }
  }

  static final Set<Grant> ALLOWED = allowList();

  static Set<Grant> allowList() {
    Set<Grant> g = new TreeSet<>();
    add(g, CLUSTER, "updates.microshift.io", List.of("updateplans"),
        List.of("get", "list", "watch", "patch", "update"), "");
    add(g, CLUSTER, "updates.microshift.io", List.of("updateplans/status"),
        List.of("get", "update", "patch"), "");
    add(g, CLUSTER, "", List.of("pods"), List.of("get", "list", "watch"), "");
    // get: fabric8's exec is a WebSocket GET; create: required in addition from Kubernetes 1.35
    add(g, CLUSTER, "", List.of("pods/exec"), List.of("get", "create"), "");
    add(g, CLUSTER, "apps", List.of("deployments", "statefulsets"),
        List.of("get", "list", "watch", "update", "patch"), "");
    add(g, CLUSTER, "batch", List.of("cronjobs"), List.of("get", "list", "watch", "update", "patch"), "");
    add(g, CLUSTER, "batch", List.of("jobs"), List.of("list"), "");
    add(g, CLUSTER, "", List.of("nodes"), List.of("list"), ""); // the node's RHEL minor, read only
    add(g, "default", "", List.of("events"), List.of("create", "patch"), "");
    // an Event on a workload resumed after its plan was deleted without its finalizer
    add(g, CLUSTER, "", List.of("events"), List.of("create"), "");
    add(g, "kube-public", "", List.of("configmaps"), List.of("get"), "microshift-version");
    add(g, NS, "coordination.k8s.io", List.of("leases"), List.of("get", "create", "update", "patch"), "");
    add(g, NS, "security.openshift.io", List.of("securitycontextconstraints"), List.of("use"), SA);
    return g;
  }

  static void add(Set<Grant> to, String scope, String group, List<String> resources,
      List<String> verbs, String name) {
    for (String r : resources) {
      for (String v : verbs) {
        to.add(new Grant(scope, group, r, v, name));
      }
    }
  }

  @Test
  void serviceAccountGetsExactlyTheAllowedPermissions() {
    Set<Grant> granted = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    int bindings = 0;
    for (JsonNode b : objects) {
      String kind = b.path("kind").asText();
      if (!kind.equals("RoleBinding") && !kind.equals("ClusterRoleBinding")) {
        continue;
      }
      if (!bindsOurServiceAccount(b)) {
        continue;
      }
      bindings++;
      String scope = kind.equals("ClusterRoleBinding") ? CLUSTER : b.at("/metadata/namespace").asText();
      String refKind = b.at("/roleRef/kind").asText();
      String refName = b.at("/roleRef/name").asText();
      JsonNode role = find(refKind, refKind.equals("Role") ? scope : "", refName);
      if (role == null) {
        problems.add(kind + " " + b.at("/metadata/name").asText() + " binds " + refKind + " "
            + refName + ", which is not in manifests/: its rules cannot be checked");
        continue;
      }
      if (role.has("aggregationRule")) {
        problems.add(refKind + " " + refName + " aggregates other roles: its rules are not fixed");
      }
      for (JsonNode rule : role.path("rules")) {
        expand(rule, scope, refKind + " " + refName, granted, problems);
      }
    }
    assertTrue(bindings > 0, "nothing is bound to ServiceAccount " + NS + "/" + SA);

    Set<Grant> extra = new TreeSet<>(granted);
    extra.removeAll(ALLOWED);
    Set<Grant> missing = new TreeSet<>(ALLOWED);
    missing.removeAll(granted);
    if (!extra.isEmpty()) {
      problems.add("granted but not allowed: " + extra);
    }
    if (!missing.isEmpty()) {
      problems.add("allowed but not granted (the operator needs them): " + missing);
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  static void expand(JsonNode rule, String scope, String where, Set<Grant> into, List<String> problems) {
    if (rule.has("nonResourceURLs")) {
      problems.add(where + " grants nonResourceURLs " + rule.path("nonResourceURLs"));
    }
    List<String> groups = texts(rule.path("apiGroups"));
    List<String> resources = texts(rule.path("resources"));
    List<String> verbs = texts(rule.path("verbs"));
    List<String> names = texts(rule.path("resourceNames"));
    for (List<String> l : List.of(groups, resources, verbs, names)) {
      if (l.stream().anyMatch(s -> s.contains("*"))) {
        problems.add(where + " has a wildcard: " + rule);
      }
    }
    if (groups.isEmpty() || resources.isEmpty() || verbs.isEmpty()) {
      problems.add(where + " has a rule without apiGroups, resources or verbs: " + rule);
    }
    for (String g : groups) {
      for (String r : resources) {
        for (String v : verbs) {
          if (names.isEmpty()) {
            into.add(new Grant(scope, g, r, v, ""));
          }
          for (String n : names) {
            into.add(new Grant(scope, g, r, v, n));
          }
        }
      }
    }
  }

  static boolean bindsOurServiceAccount(JsonNode binding) {
    for (JsonNode s : binding.path("subjects")) {
      if (s.path("kind").asText().equals("ServiceAccount") && s.path("name").asText().equals(SA)
          && s.path("namespace").asText().equals(NS)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void userRolesGetReadingPlansByAggregationAndOnlyAdminMayChangeThem() {
    String view = "rbac.authorization.k8s.io/aggregate-to-view";
    String edit = "rbac.authorization.k8s.io/aggregate-to-edit";
    String admin = "rbac.authorization.k8s.io/aggregate-to-admin";
    String reader = "rbac.authorization.k8s.io/aggregate-to-cluster-reader";
    // every ClusterRole that aggregates into a user-facing role, and what it grants
    Map<String, Set<String>> verbsByRole = new java.util.TreeMap<>();
    for (String target : List.of(view, edit, admin, reader)) {
      Set<String> verbs = new TreeSet<>();
      for (JsonNode r : objects) {
        if (r.path("kind").asText().equals("ClusterRole")
            && r.at("/metadata/labels").path(target).asText().equals("true")) {
          for (JsonNode rule : r.path("rules")) {
            assertEquals(List.of("updates.microshift.io"), texts(rule.path("apiGroups")),
                r.at("/metadata/name").asText() + " aggregates a rule outside updates.microshift.io");
            assertTrue(rule.path("resourceNames").isMissingNode());
            for (String res : texts(rule.path("resources"))) {
              for (String v : texts(rule.path("verbs"))) {
                verbs.add(res + ":" + v);
              }
            }
          }
        }
      }
      verbsByRole.put(target.substring(target.lastIndexOf('-') + 1), verbs);
    }
    Set<String> read = new TreeSet<>(List.of("updateplans:get", "updateplans:list", "updateplans:watch",
        "updateplans/status:get", "updateplans/status:list", "updateplans/status:watch"));
    Set<String> write = new TreeSet<>(read);
    write.addAll(List.of("updateplans:create", "updateplans:update", "updateplans:patch",
        "updateplans:delete", "updateplans:deletecollection"));
    assertEquals(read, verbsByRole.get("view"), "view reads plans and their status");
    assertEquals(read, verbsByRole.get("edit"), "edit reads plans; a plan reboots the device, edit may not make one");
    assertEquals(read, verbsByRole.get("reader"), "OpenShift's cluster-reader reads plans");
    assertEquals(write, verbsByRole.get("admin"), "admin reads, creates, changes and deletes plans");
    // nobody but the operator writes status, and the user roles are bound to nobody here
    assertFalse(verbsByRole.values().stream().flatMap(Set::stream)
        .anyMatch(g -> g.startsWith("updateplans/status:") && !g.endsWith(":get") && !g.endsWith(":list")
            && !g.endsWith(":watch")), "user roles must not write status");
    for (JsonNode b : objects) {
      if (b.path("kind").asText().endsWith("Binding")) {
        assertFalse(b.at("/roleRef/name").asText().startsWith("microshift-update-updateplans-"),
            "the aggregated roles extend roles people hold; binding them is the administrator's choice: " + b);
      }
    }
  }

  @Test
  void everyBindingBindsOnlyTheOperatorsServiceAccount() {
    for (JsonNode b : objects) {
      String kind = b.path("kind").asText();
      if (kind.equals("RoleBinding") || kind.equals("ClusterRoleBinding")) {
        JsonNode subjects = b.path("subjects");
        assertEquals(1, subjects.size(), kind + " " + b.at("/metadata/name").asText() + " subjects");
        assertTrue(bindsOurServiceAccount(b), kind + " " + b.at("/metadata/name").asText()
            + " must bind exactly ServiceAccount " + NS + "/" + SA);
      }
    }
  }

  // ---------------------------------------------------------------- Deployment

  @Test
  void deploymentRunsOneLeaderElectedOperatorOnThePodNetwork() {
    JsonNode d = one("Deployment", NS, SA);
    assertEquals(1, d.at("/spec/replicas").asInt(), "replicas");
    assertEquals("Recreate", d.at("/spec/strategy/type").asText(), "strategy");
    JsonNode pod = d.at("/spec/template/spec");
    assertEquals(SA, pod.path("serviceAccountName").asText());
    // issue 16: the etcd snapshot is the host agent's; the pod is an ordinary one on the pod network
    assertFalse(pod.path("hostNetwork").asBoolean(false), "no hostNetwork");
    assertFalse(pod.has("dnsPolicy"), "the default (cluster) DNS policy of a pod on the pod network");
    assertEquals(30, pod.path("terminationGracePeriodSeconds").asInt());
    assertEquals(1, pod.path("containers").size());

    JsonNode c = pod.path("containers").get(0);
    assertEquals(IMAGE, c.path("image").asText(), "image");
    assertEquals(List.of("operator"), texts(c.path("args")), "args");
    Map<String, JsonNode> env = env(c);
    assertEquals("true", env.get("LEADER_ELECTION").path("value").asText(), "LEADER_ELECTION");
    assertEquals(STATE_DIR, env.get("STATE_DIR").path("value").asText(), "STATE_DIR");
    assertTrue(env.keySet().stream().noneMatch(k -> k.startsWith("ETCD_") || k.equals("MICROSHIFT_CERTS_DIR")),
        "no etcd endpoint or credential in the pod's env: " + env.keySet());
    assertEquals("metadata.namespace",
        env.get("OPERATOR_NAMESPACE").at("/valueFrom/fieldRef/fieldPath").asText());
    assertEquals("metadata.name", env.get("POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText(),
        "POD_NAME: the operator reads its own pod for its image by digest (OperatorImage)");
    String jvm = env.get("JAVA_TOOL_OPTIONS").path("value").asText();
    for (String flag : List.of("-XX:MaxRAMPercentage=", "-Xms", "-Xmn", "-XX:+UseSerialGC",
        "-XX:MaxMetaspaceSize=")) {
      assertTrue(jvm.contains(flag), "JAVA_TOOL_OPTIONS lacks " + flag + ": " + jvm);
    }
    JsonNode port = c.path("ports").get(0);
    assertEquals("http-metrics", port.path("name").asText());
    assertEquals(8080, port.path("containerPort").asInt());
    assertEquals("8080", env.get("HTTP_PORT").path("value").asText(), "HTTP_PORT matches the port");
  }

  @Test
  void deploymentMountsTheStateDirOnlyAndNoEtcdCredential() {
    JsonNode pod = one("Deployment", NS, SA).at("/spec/template/spec");
    JsonNode c = pod.path("containers").get(0);
    Map<String, JsonNode> volumes = byName(pod.path("volumes"));
    Map<String, JsonNode> mounts = byName(c.path("volumeMounts"));

    JsonNode state = volumeAt(volumes, mounts, STATE_DIR);
    assertEquals(STATE_DIR, state.at("/hostPath/path").asText());
    assertEquals("Directory", state.at("/hostPath/type").asText(),
        "the package creates and labels the state dir; a dir the kubelet made would be mislabelled");
    assertFalse(mountAt(mounts, STATE_DIR).path("readOnly").asBoolean(), "the state dir is written");

    // every other hostPath is read-only, mounted at its host path
    for (JsonNode m : mounts.values()) {
      JsonNode v = volumes.get(m.path("name").asText());
      assertNotNull(v, "mount of an undeclared volume " + m);
      if (v.has("hostPath") && !m.path("mountPath").asText().equals(STATE_DIR)) {
        assertTrue(m.path("readOnly").asBoolean(), "hostPath mount must be read-only: " + m);
        assertEquals(v.at("/hostPath/path").asText(), m.path("mountPath").asText(),
            "host files are mounted at their host path: " + m);
      }
    }
    // issue 16: the state dir is the only hostPath; nothing of MicroShift's data dir (its etcd
    // certificates and keys) is mounted
    List<String> hostPaths = volumes.values().stream().filter(v -> v.has("hostPath"))
        .map(v -> v.at("/hostPath/path").asText()).toList();
    assertEquals(List.of(STATE_DIR), hostPaths, "hostPath volumes");
    for (JsonNode m : mounts.values()) {
      String at = m.path("mountPath").asText();
      assertFalse(at.startsWith("/var/lib/microshift/") || at.equals("/var/lib/microshift") || at.contains("etcd"),
          "no etcd credential or MicroShift data mounted: " + m);
    }
    // read-only root filesystem, writable /tmp
    assertTrue(volumeAt(volumes, mounts, "/tmp").has("emptyDir"), "/tmp is an emptyDir");
  }

  @Test
  void deploymentProbesResourcesAndSecurityContext() {
    JsonNode pod = one("Deployment", NS, SA).at("/spec/template/spec");
    JsonNode c = pod.path("containers").get(0);
    assertEquals("/healthz", c.at("/livenessProbe/httpGet/path").asText());
    assertEquals("/readyz", c.at("/readinessProbe/httpGet/path").asText());
    assertEquals("/healthz", c.at("/startupProbe/httpGet/path").asText());
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      JsonNode p = c.at("/" + probe + "/httpGet/port");
      assertTrue(p.asText().equals("http-metrics") || p.asInt() == 8080, probe + " port " + p);
    }
    assertEquals("50m", c.at("/resources/requests/cpu").asText(), "cpu request");
    assertEquals("160Mi", c.at("/resources/requests/memory").asText(),
        "memory request: the measured peak (hack/bench.d/operator-footprint, operator-peak-rss-mib) and a margin");
    assertEquals("192Mi", c.at("/resources/limits/memory").asText(), "memory limit");

    assertEquals(0, pod.at("/securityContext/runAsUser").asInt(-1), "uid 0: root-owned marker files");
    JsonNode sc = c.path("securityContext");
    assertTrue(sc.has("allowPrivilegeEscalation") && !sc.path("allowPrivilegeEscalation").asBoolean());
    assertTrue(sc.path("readOnlyRootFilesystem").asBoolean());
    assertFalse(sc.path("privileged").asBoolean());
    assertEquals(List.of("ALL"), texts(sc.at("/capabilities/drop")));
    assertTrue(sc.at("/capabilities/add").isMissingNode(), "no capability may be added");
    assertEquals("RuntimeDefault", sc.at("/seccompProfile/type").asText());
    assertEquals("system-cluster-critical", pod.path("priorityClassName").asText(),
        "a critical pod is never evicted by the kubelet while it verifies the update");
    // SELinux: the pod runs confined (container_t, the SCC's MustRunAs), never as spc_t
    assertTrue(pod.at("/securityContext/seLinuxOptions").isMissingNode(), "no SELinux type override");
    assertTrue(c.at("/securityContext/seLinuxOptions").isMissingNode(), "no SELinux type override");
  }

  @Test
  void metricsServiceSelectsTheOperatorPod() {
    JsonNode svc = one("Service", NS, SA + "-metrics");
    JsonNode port = svc.at("/spec/ports/0");
    assertEquals("http-metrics", port.path("name").asText());
    assertEquals(8080, port.path("port").asInt());
    JsonNode podLabels = one("Deployment", NS, SA).at("/spec/template/metadata/labels");
    svc.at("/spec/selector").fields().forEachRemaining(e ->
        assertEquals(e.getValue().asText(), podLabels.path(e.getKey()).asText(),
            "Service selector " + e.getKey()));
    assertFalse(svc.at("/spec/selector").isEmpty());
  }

  @Test
  void anOverlayCanReplaceTheImage() throws Exception {
    Path overlay = Files.createDirectories(Path.of("target/manifests-overlay-test"));
    // `bases:` rather than `resources:` so that kubectl's older embedded kustomize (v2, as in
    // Debian's kubernetes-client 1.20) renders it too; newer ones accept it with a warning
    Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "bases:",
        "- ../../manifests",
        "images:",
        "- name: quay.io/microshift-update/operator",
        "  newName: registry.invalid/acme/operator",
        "  newTag: 9.9.9",
        ""));
    List<JsonNode> rendered = kustomize(overlay);
    JsonNode d = rendered.stream().filter(o -> o.path("kind").asText().equals("Deployment"))
        .findFirst().orElseThrow();
    assertEquals("registry.invalid/acme/operator:9.9.9",
        d.at("/spec/template/spec/containers/0/image").asText());
  }

  // ---------------------------------------------------------------- CRD copy, Containerfile

  @Test
  void manifestsCrdIsAByteForByteCopyOfTheGeneratedOne() throws IOException {
    assertArrayEquals(Files.readAllBytes(CRD), Files.readAllBytes(CRD_COPY),
        CRD_COPY + " differs from " + CRD + ": run hack/update-crd and commit the result");
  }

  @Test
  void containerfileBuildsFromTheShadedJarOnUbi9OpenJdk17Runtime() throws IOException {
    List<String> lines = Files.readAllLines(CONTAINERFILE).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertEquals(1, from.size(), "one stage: " + from);
    assertTrue(Pattern.matches(
        "FROM registry\\.access\\.redhat\\.com/ubi9/openjdk-17-runtime@sha256:[0-9a-f]{64}",
        from.get(0)), "the base image is pinned by digest: " + from.get(0));
    assertTrue(lines.stream().anyMatch(l -> Pattern.matches(
        "COPY (--\\S+ )*target/microshift-update\\.jar /deployments/microshift-update\\.jar", l)),
        "COPY of target/microshift-update.jar to /deployments/");
    assertTrue(lines.contains("ENTRYPOINT [\"java\", \"-cp\", \"/deployments/microshift-update.jar\", \""
        + jarMainClass() + "\"]"), "the image runs the jar's Main-Class from the class path");
    assertTrue(lines.contains("CMD [\"operator\"]"));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("ENV JAVA_TOOL_OPTIONS=")));
  }

  /** The Main-Class the shade plugin writes into the jar's manifest (pom.xml), which must be the CLI's. */
  static String jarMainClass() throws IOException {
    java.util.regex.Matcher m = Pattern.compile(
        "ManifestResourceTransformer\">\\s*<mainClass>([^<]+)</mainClass>").matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "pom.xml names the jar's Main-Class in the shade plugin's ManifestResourceTransformer");
    assertEquals(io.microshift.update.cli.Main.class.getName(), m.group(1), "the jar's Main-Class");
    return m.group(1);
  }

  /** The image's default JVM flags are the Deployment's (which hack/bench.d/operator-footprint measures). */
  @Test
  void containerfileJvmFlagsAreTheDeploymentsJvmFlags() throws IOException {
    String image = containerfileEnv("JAVA_TOOL_OPTIONS");
    String deployment = deploymentEnv("JAVA_TOOL_OPTIONS").strip();
    assertEquals(List.of(deployment.split("\\s+")), List.of(image.split("\\s+")),
        "operator/Containerfile and manifests/deployment.yaml set different JAVA_TOOL_OPTIONS");
  }

  /** The image's malloc arena limit is the Deployment's, and it is set (the footprint bench measures it). */
  @Test
  void containerfileMallocArenasAreTheDeploymentsMallocArenas() throws IOException {
    String image = containerfileEnv("MALLOC_ARENA_MAX");
    assertEquals(image, deploymentEnv("MALLOC_ARENA_MAX"),
        "operator/Containerfile and manifests/deployment.yaml set different MALLOC_ARENA_MAX");
    assertTrue(Integer.parseInt(image) >= 1, "MALLOC_ARENA_MAX must be a positive number: " + image);
  }

  /** The value of {@code ENV name=value} in operator/Containerfile, without quotes. */
  static String containerfileEnv(String name) throws IOException {
    String prefix = "ENV " + name + "=";
    String line = Files.readAllLines(CONTAINERFILE).stream().map(String::strip)
        .filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("operator/Containerfile does not set " + name));
    return line.substring(prefix.length()).replaceAll("^\"|\"$", "");
  }

  /** The value of the operator container's environment variable in manifests/deployment.yaml. */
  static String deploymentEnv(String name) {
    JsonNode c = one("Deployment", NS, SA).at("/spec/template/spec/containers/0");
    JsonNode e = env(c).get(name);
    assertTrue(e != null, "manifests/deployment.yaml does not set " + name);
    return e.path("value").asText();
  }

  // ---------------------------------------------------------------- helpers

  static List<JsonNode> kustomize(Path dir) throws Exception {
    String kubectl = System.getenv().getOrDefault("KUBECTL", "kubectl");
    Path stdout = Files.createTempFile("kustomize", ".out");
    Path stderr = Files.createTempFile("kustomize", ".err");
    byte[] out;
    String err;
    try {
      Process p;
      try {
        p = new ProcessBuilder(kubectl, "kustomize", dir.toString())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
      } catch (IOException e) {
        throw new AssertionError("cannot run '" + kubectl + "' (" + e.getMessage() + "): ManifestsTest"
            + " renders manifests/ with `kubectl kustomize`; install kubectl or set KUBECTL", e);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(kubectl + " kustomize " + dir + " did not finish in 60 s");
      }
      out = Files.readAllBytes(stdout);
      err = Files.readString(stderr);
      assertEquals(0, p.exitValue(), kubectl + " kustomize " + dir + " failed:\n" + err);
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
    List<JsonNode> docs = new ArrayList<>();
    YAMLMapper mapper = new YAMLMapper();
    try (var parser = new YAMLFactory().createParser(new String(out, StandardCharsets.UTF_8))) {
      mapper.readValues(parser, JsonNode.class).forEachRemaining(n -> {
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      });
    }
    assertFalse(docs.isEmpty(), kubectl + " kustomize " + dir + " rendered nothing");
    return docs;
  }

  static JsonNode find(String kind, String namespace, String name) {
    for (JsonNode o : objects) {
      if (o.path("kind").asText().equals(kind) && o.at("/metadata/name").asText().equals(name)
          && o.at("/metadata/namespace").asText("").equals(namespace)) {
        return o;
      }
    }
    return null;
  }

  static JsonNode one(String kind, String namespace, String name) {
    JsonNode o = find(kind, namespace, name);
    assertNotNull(o, kind + " " + namespace + "/" + name + " is not rendered");
    return o;
  }

  static List<String> texts(JsonNode array) {
    List<String> l = new ArrayList<>();
    array.forEach(n -> l.add(n.asText()));
    return l;
  }

  static Map<String, JsonNode> byName(JsonNode array) {
    Map<String, JsonNode> m = new HashMap<>();
    array.forEach(n -> assertEquals(null, m.put(n.path("name").asText(), n),
        "duplicate name " + n.path("name").asText()));
    return m;
  }

  static Map<String, JsonNode> env(JsonNode container) {
    Map<String, JsonNode> env = byName(container.path("env"));
    for (String required : List.of("OPERATOR_NAMESPACE", "LEADER_ELECTION", "STATE_DIR", "HTTP_PORT",
        "JAVA_TOOL_OPTIONS")) {
      assertTrue(env.containsKey(required), "env " + required + " is not set");
    }
    return env;
  }

  static JsonNode mountAt(Map<String, JsonNode> mounts, String path) {
    return mounts.values().stream().filter(m -> m.path("mountPath").asText().equals(path))
        .findFirst().orElse(MissingNode.getInstance());
  }

  static JsonNode volumeAt(Map<String, JsonNode> volumes, Map<String, JsonNode> mounts, String path) {
    JsonNode m = mountAt(mounts, path);
    assertFalse(m.isMissingNode(), "nothing is mounted at " + path);
    JsonNode v = volumes.get(m.path("name").asText());
    assertNotNull(v, "volume " + m.path("name").asText() + " is not declared");
    return v;
  }
}
