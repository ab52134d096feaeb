package io.microshift.update.operator.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.microshift.update.marker.MarkerFiles;
import io.microshift.update.marker.MarkerReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 3: {@link MarkerHostHandoff#onChange} wakes the operator when the host agent
 * replaces host-status.json (a rename, as {@code AtomicFiles} does) or request.json is deleted,
 * within a second, and not for the operator's own request.json writes.
 */
class StateDirWatchTest {
  @TempDir Path stateDir;

  @Test
  void hostStatusReplacedOrRequestDeletedWakesTheListenerWithinASecond() throws Exception {
    MarkerHostHandoff host = new MarkerHostHandoff(stateDir, MarkerReader.ROOT_UID, Clock.systemUTC());
    Semaphore woken = new Semaphore(0);
    try (AutoCloseable watch = host.onChange(woken::release)) {
      replace(MarkerFiles.requestFile(stateDir), "{}");
      assertTrue(!woken.tryAcquire(300, TimeUnit.MILLISECONDS), "the operator's own request.json write wakes nothing");

      replace(MarkerFiles.hostStatusFile(stateDir), "{\"state\":\"Staging\"}");
      assertTrue(woken.tryAcquire(1, TimeUnit.SECONDS), "host-status.json replaced: woken");
      woken.drainPermits();

      replace(MarkerFiles.hostStatusFile(stateDir), "{\"state\":\"Staged\"}");
      assertTrue(woken.tryAcquire(1, TimeUnit.SECONDS), "replaced again: woken again");
      woken.drainPermits();

      Files.delete(MarkerFiles.requestFile(stateDir));
      assertTrue(woken.tryAcquire(1, TimeUnit.SECONDS), "request.json deleted: woken, to write it again");
    }
    woken.drainPermits();
    replace(MarkerFiles.hostStatusFile(stateDir), "{\"state\":\"Booted\"}");
    assertEquals(false, woken.tryAcquire(300, TimeUnit.MILLISECONDS), "closed: no more wake-ups");
  }

  private static void replace(Path file, String content) throws Exception {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
