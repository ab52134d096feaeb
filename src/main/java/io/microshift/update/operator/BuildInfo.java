package io.microshift.update.operator;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The operator's version and source revision, from the manifest of the jar it runs from
 * ({@code Implementation-Version} and {@code Implementation-Revision}, set by pom.xml's shade
 * plugin). "unknown" when it runs from classes (tests) or the entry is missing.
 */
public record BuildInfo(String version, String revision) {
  static final String UNKNOWN = "unknown";
  static final String REVISION = "Implementation-Revision";

  public static BuildInfo current() {
    try {
      Path location = Path.of(BuildInfo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(location)) {
        return of(null);
      }
      try (JarFile jar = new JarFile(location.toFile())) {
        return of(jar.getManifest());
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return of(null);
    }
  }

  /** The entries of a manifest; "unknown" for each that is missing or blank. */
  public static BuildInfo of(Manifest manifest) {
    Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
    return new BuildInfo(orUnknown(main.getValue(Attributes.Name.IMPLEMENTATION_VERSION)),
        orUnknown(main.getValue(REVISION)));
  }

  private static String orUnknown(String value) {
    return value == null || value.isBlank() ? UNKNOWN : value.trim();
  }
}
