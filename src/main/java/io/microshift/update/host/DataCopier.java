package io.microshift.update.host;

import io.microshift.update.backup.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Copies a data dir so that the destination appears whole or not at all: copy into a temp dir
 * beside it ({@code cp --reflink=auto -a}, or MicroShift's own {@code backup} verb), sync, rename.
 */
public final class DataCopier {
  private final HostContext ctx;

  public DataCopier(HostContext ctx) {
    this.ctx = ctx;
  }

  public enum Method { CP, MICROSHIFT }

  /** Copies {@code source} to {@code dest} (which must not exist yet) through {@code tmp}. */
  public void copy(Path source, Path tmp, Path dest, Method method, String crashBeforeRename) {
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      throw new HostException(dest + " already exists; refusing to overwrite it");
    }
    FileTrees.delete(tmp);
    if (method == Method.MICROSHIFT) {
      ctx.microshift().backup(tmp);
    } else {
      ctx.runner().check(List.of("cp", "--reflink=auto", "-a", source.toString(), tmp.toString()));
    }
    ctx.runner().check(List.of("sync", "--file-system", tmp.toString()));
    ctx.reached(crashBeforeRename);
    rename(tmp, dest);
  }

  /** Atomic rename in one dir, made durable. */
  public static void rename(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      io.microshift.update.backup.AtomicFiles.fsyncDir(to.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + from + " to " + to, e);
    }
  }
}
