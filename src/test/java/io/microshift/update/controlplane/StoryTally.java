package io.microshift.update.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Counts the stories of a test class and writes {@code CONTROL-PLANE stories=<n> passed=<p>}
 * into {@code target/control-plane.txt} (hack/test prints it), as the fault matrix does.
 */
public final class StoryTally implements TestWatcher, AfterAllCallback {
  public static final Path FILE = Path.of("target/control-plane.txt");
  private final AtomicInteger stories = new AtomicInteger();
  private final AtomicInteger passed = new AtomicInteger();

  @Override
  public void testSuccessful(ExtensionContext context) {
    stories.incrementAndGet();
    passed.incrementAndGet();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    stories.incrementAndGet();
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    stories.incrementAndGet();
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    stories.incrementAndGet();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    String line = "CONTROL-PLANE stories=" + stories.get() + " passed=" + passed.get();
    System.out.println(line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
