package io.microshift.update.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrdTest {
  static final Path CHECKED_IN = Path.of("crds/updateplans.updates.microshift.io-v1.yml");
  static final Path GENERATED = Path.of("target/crds/updateplans.updates.microshift.io-v1.yml");

  @Test
  void checkedInCrdIsTheOneTheBuildGenerates() throws Exception {
    assertTrue(Files.exists(GENERATED), "the build did not generate " + GENERATED);
    assertEquals(Files.readString(GENERATED), Files.readString(CHECKED_IN),
        "crds/ is stale: run hack/update-crd and commit the result");
  }

  @Test
  void crdIsClusterScopedWithShortNameStatusAndColumnsInOrder() throws Exception {
    JsonNode crd = new YAMLMapper().readTree(CHECKED_IN.toFile());
    assertEquals("Cluster", crd.at("/spec/scope").asText());
    assertEquals("up", crd.at("/spec/names/shortNames/0").asText());
    JsonNode version = crd.at("/spec/versions/0");
    assertEquals("v1alpha1", version.path("name").asText());
    assertTrue(version.at("/subresources/status").isObject(), "status subresource");
    List<String> defaultColumns = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(c -> {
      if (c.path("priority").asInt() == 0) {
        defaultColumns.add(c.path("name").asText());
      }
    });
    assertEquals(List.of("Type", "Target", "Phase", "Age"), defaultColumns);
  }

  @Test
  void schemaCarriesTheWhitelistPatternsAndRequiredFields() throws Exception {
    JsonNode spec = new YAMLMapper().readTree(CHECKED_IN.toFile())
        .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    JsonNode target = spec.at("/properties/target");
    assertEquals(Patterns.VERSION, target.at("/properties/version/pattern").asText());
    assertEquals(Patterns.OSTREE_REF, target.at("/properties/ostreeRef/pattern").asText());
    assertEquals(Patterns.OSTREE_COMMIT, target.at("/properties/ostreeCommit/pattern").asText());
    assertEquals(Patterns.PACKAGE, target.at("/properties/packages/items/pattern").asText());
    assertTrue(spec.path("required").toString().contains("\"type\""));
    assertTrue(spec.path("required").toString().contains("\"target\""));
    assertEquals("[\"image\",\"ostree\",\"rpm\"]", spec.at("/properties/type/enum").toString());
    assertEquals(Patterns.TARGET_IMAGE, target.at("/properties/image/pattern").asText());
    assertEquals(Patterns.TARGET_IMAGE_MAX_LENGTH, target.at("/properties/image/maxLength").asInt());
    assertEquals(2, target.path("x-kubernetes-validations").size());
    assertEquals(Patterns.REPOSITORY, target.at("/properties/repositories/items/pattern").asText());
    assertEquals("[\"Always\",\"IfNeeded\"]", target.at("/properties/reboot/enum").toString());
    assertEquals(8, spec.path("x-kubernetes-validations").size());
  }
}
