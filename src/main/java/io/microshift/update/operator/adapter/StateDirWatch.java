package io.microshift.update.operator.adapter;

import io.microshift.update.marker.MarkerFiles;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a listener when the host agent's {@code host-status.json} in the state dir is created,
 * replaced or deleted: a {@link WatchService} (inotify on Linux; the state dir is a hostPath, and
 * inotify sees the host agent's writes there because both sides use the same inode). The agent
 * replaces the file by a rename, which inotify reports as {@code IN_MOVED_TO}, the JDK as
 * {@code ENTRY_CREATE}. A watch can miss events (an inotify queue overflow, reported as {@code
 * OVERFLOW}, which also calls the listener; a state dir that could not be watched): the steps'
 * slow requeue covers them. The operator's own request.json writes call nothing; request.json
 * deleted (by hand) does, so that the operator writes it again at once (docs/marker.md).
 */
final class StateDirWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StateDirWatch.class);

  private final WatchService watcher;
  private final Thread thread;

  private StateDirWatch(WatchService watcher, Path stateDir, Runnable listener) {
    this.watcher = watcher;
    String hostStatus = MarkerFiles.hostStatusFile(stateDir).getFileName().toString();
    String request = MarkerFiles.requestFile(stateDir).getFileName().toString();
    this.thread = new Thread(() -> loop(hostStatus, request, listener), "state-dir-watch");
    this.thread.setDaemon(true);
  }

  /** Starts watching; on a state dir that cannot be watched, logs why and returns a no-op. */
  static AutoCloseable start(Path stateDir, Runnable listener) {
    try {
      WatchService w = stateDir.getFileSystem().newWatchService();
      stateDir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      StateDirWatch watch = new StateDirWatch(w, stateDir, listener);
      watch.thread.start();
      return watch;
    } catch (IOException | RuntimeException e) {
      LOG.atWarn().addKeyValue("stateDir", stateDir).addKeyValue("error", e.toString())
          .log("cannot watch the state dir; the host's status is read on the slow poll only");
      return () -> { };
    }
  }

  private void loop(String hostStatus, String request, Runnable listener) {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean relevant = false;
        for (WatchEvent<?> e : key.pollEvents()) {
          String name = String.valueOf(e.context());
          relevant |= e.kind() == StandardWatchEventKinds.OVERFLOW || hostStatus.equals(name)
              || (e.kind() == StandardWatchEventKinds.ENTRY_DELETE && request.equals(name));
        }
        if (relevant) {
          listener.run();
        }
        if (!key.reset()) {
          LOG.atWarn().log("the state dir is no longer watched (deleted?); the slow poll reads the host's status");
          return;
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    } catch (RuntimeException e) {
      LOG.atWarn().addKeyValue("error", e.toString()).log("the state dir watch stopped; the slow poll reads the host's status");
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
    thread.interrupt();
  }
}
