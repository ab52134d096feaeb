package io.microshift.update.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.microshift.update.marker.Markers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * rpm-ostree as seen by the agent: deployments from {@code rpm-ostree status --json}, the booted
 * one cross-checked with the {@code ostree=} kernel argument.
 */
public final class RpmOstree implements BootedDeployment {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern KARG_DEPLOY = Pattern.compile("(?:^|\\s)ostree=(\\S+)");

  public record Deployment(String checksum, boolean booted, boolean staged, String origin) {}

  private final CommandRunner runner;
  private final HostPaths paths;

  public RpmOstree(CommandRunner runner, HostPaths paths) {
    this.runner = runner;
    this.paths = paths;
  }

  /** Deployments in boot order: the first one is the default for the next boot. */
  public List<Deployment> deployments() {
    CommandRunner.Result r = runner.check(List.of("rpm-ostree", "status", "--json"));
    List<Deployment> out = new ArrayList<>();
    try {
      JsonNode root = JSON.readTree(r.stdout());
      for (JsonNode d : root.path("deployments")) {
        String checksum = d.path("checksum").asText("");
        if (!Markers.CHECKSUM.matcher(checksum).matches()) {
          throw new HostException("rpm-ostree status --json: unexpected checksum '" + checksum + "'");
        }
        out.add(new Deployment(checksum, d.path("booted").asBoolean(false),
            d.path("staged").asBoolean(false), d.path("origin").asText("")));
      }
    } catch (IOException e) {
      throw new HostException("cannot parse rpm-ostree status --json: " + e.getMessage(), e);
    }
    return out;
  }

  /** The deployment the next boot will use (the first listed), if it is not the booted one. */
  public Optional<Deployment> pending() {
    List<Deployment> ds = deployments();
    return ds.isEmpty() || ds.get(0).booted() ? Optional.empty() : Optional.of(ds.get(0));
  }

  @Override
  public Optional<String> bootedChecksum() {
    Optional<String> fromStatus = deployments().stream().filter(Deployment::booted)
        .map(Deployment::checksum).findFirst();
    Optional<String> fromKarg = fromKernelArgument();
    if (fromStatus.isPresent() && fromKarg.isPresent() && !fromStatus.equals(fromKarg)) {
      throw new HostException("rpm-ostree says " + fromStatus.get() + " is booted but the ostree= kernel argument points at " + fromKarg.get());
    }
    return fromStatus.isPresent() ? fromStatus : fromKarg;
  }

  /** Resolves {@code ostree=/ostree/boot.N/<os>/<bootcsum>/<serial>} to its deployment checksum. */
  Optional<String> fromKernelArgument() {
    try {
      Path cmdline = paths.procCmdline();
      if (!Files.isRegularFile(cmdline)) {
        return Optional.empty();
      }
      Matcher m = KARG_DEPLOY.matcher(Files.readString(cmdline));
      if (!m.find() || !m.group(1).startsWith("/")) {
        return Optional.empty();
      }
      Path link = paths.host("/sysroot" + m.group(1));
      if (!Files.exists(link)) {
        return Optional.empty();
      }
      String name = link.toRealPath().getFileName().toString();
      int dot = name.indexOf('.');
      String checksum = dot < 0 ? name : name.substring(0, dot);
      return Markers.CHECKSUM.matcher(checksum).matches() ? Optional.of(checksum) : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
