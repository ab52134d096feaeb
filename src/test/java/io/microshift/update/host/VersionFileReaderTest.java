package io.microshift.update.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The data version file under MicroShift's own reader (openshift/microshift
 * pkg/admin/prerun/version.go, parseVersionFile: json.Unmarshal into versionFile, else
 * versionMetadataFromString of the whole file). Each case says what Go's encoding/json and
 * strconv.Atoi do with it; a null expectation is a file MicroShift refuses to start on.
 */
class VersionFileReaderTest {
  static Stream<Arguments> files() {
    return Stream.of(
        // what MicroShift 4.14+ writes (json.Marshal of versionFile)
        Arguments.of("{\"version\":\"4.18.1\",\"deployment_id\":\"rhel-a.0\",\"boot_id\":\"b1\"}", "4.18.1", "rhel-a.0", "b1"),
        Arguments.of("{\"version\":\"4.17.3\",\"boot_id\":\"b1\"}\n", "4.17.3", null, "b1"),
        // the plain form of older releases, trimmed (strings.TrimSpace)
        Arguments.of("4.17.3\n", "4.17.3", null, null),
        Arguments.of(" \t4.17.3\r\n\u00a0", "4.17.3", null, null),
        // a duplicate key: the last one wins; keys match case-insensitively, in order
        Arguments.of("{\"version\":\"4.18.1\",\"version\":\"4.19.0\"}", "4.19.0", null, null),
        Arguments.of("{\"Version\":\"4.18.1\"}", "4.18.1", null, null),
        Arguments.of("{\"version\":\"4.18.1\",\"VERSION\":\"4.19.0\",\"Deployment_ID\":\"d\"}", "4.19.0", "d", null),
        Arguments.of("{\"version\":\"4.1.0\",\"Version\":\"4.2.0\",\"version\":\"4.3.0\"}", "4.3.0", null, null),
        // unknown keys are ignored, whatever their value
        Arguments.of("{\"version\":\"4.18.1\",\"x\":{\"a\":[1,2,{}]},\"y\":null}", "4.18.1", null, null),
        // strconv.Atoi: a sign and leading zeros are taken; versionMetadata.String prints %d
        Arguments.of("{\"version\":\" 4.017.+01 \"}", "4.17.1", null, null),
        Arguments.of("04.17.1", "4.17.1", null, null),
        // null for a string field leaves it as it was; an absent version is Go's zero value
        Arguments.of("{\"version\":\"4.18.1\",\"boot_id\":\"b1\",\"boot_id\":null}", "4.18.1", null, "b1"),
        Arguments.of("{\"boot_id\":\"b1\"}", "0.0.0", null, "b1"),
        Arguments.of("null", "0.0.0", null, null),
        Arguments.of("{\"version\":\"4.18.1\",\"deployment_id\":\"\"}", "4.18.1", null, null),
        // what MicroShift refuses: suffixes it never writes, other shapes, other types
        Arguments.of("4.17.1-rc.1", null, null, null),
        Arguments.of("{\"version\":\"4.17.1-rc.1\"}", null, null, null),
        Arguments.of("{\"version\":\"4.17.1+build.7\"}", null, null, null),
        Arguments.of("{\"version\":\"4.17\"}", null, null, null),
        Arguments.of("{\"version\":\"4.17.1.0\"}", null, null, null),
        Arguments.of("{\"version\":\"4.17.\"}", null, null, null),
        Arguments.of("{\"version\":\"4.99999999999999999999.1\"}", null, null, null),
        Arguments.of("{\"version\":null}", null, null, null),
        Arguments.of("{\"version\":4}", null, null, null),
        Arguments.of("{\"version\":\"4.18.1\",\"deployment_id\":7}", null, null, null),
        Arguments.of("{\"version\":\"4.18.1\",\"boot_id\":[\"b1\"]}", null, null, null),
        Arguments.of("{\"version\":\"4.18.1\"} {}", null, null, null),
        Arguments.of("{\"version\":\"4.18.1\",}", null, null, null),
        Arguments.of("{\"version\":\"4.18.1\" /* c */}", null, null, null),
        Arguments.of("[\"4.18.1\"]", null, null, null),
        Arguments.of("\"4.18.1\"", null, null, null),
        Arguments.of("4.18", null, null, null),
        Arguments.of("4.18.1 4.18.2", null, null, null),
        Arguments.of("\u00854.18.1\u2028", "4.18.1", null, null),
        // not Go white space (unicode.IsSpace), though Java's Character.isWhitespace says so
        Arguments.of("\u001c4.18.1", null, null, null),
        Arguments.of("", null, null, null),
        Arguments.of("   \n", null, null, null));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("files")
  void readsTheFileAsMicroShiftDoes(String contents, String version, String deploymentId, String bootId) {
    Optional<MicroShift.VersionFile> expected = version == null ? Optional.empty()
        : Optional.of(new MicroShift.VersionFile(version, deploymentId, bootId));
    assertEquals(expected, VersionFileReader.parse(contents));
  }
}
