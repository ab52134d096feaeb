package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What to update to. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
    value = "!has(self.image) || self.image.contains('@sha256:') || (has(self.allowImageTag) && self.allowImageTag)",
    message = "spec.target.image must be pinned by digest (registry/repository@sha256:<64 hex>); a tag can move"
        + " between the canary and the fleet: set spec.target.allowImageTag: true to update to a tag anyway")
@ValidationRule(
    value = "!has(self.allowImageTag) || !self.allowImageTag || has(self.image)",
    message = "spec.target.allowImageTag is only for an image-mode target (spec.target.image)")
public class UpdateTarget {

  @Required
  @Pattern(Patterns.VERSION)
  @JsonPropertyDescription("The MicroShift version the device runs after the update, e.g. 4.17.3.")
  public String version;

  @Pattern(Patterns.OSTREE_REF)
  @Size(max = 255)
  @ValidationRule(value = "!self.contains('..')", message = "spec.target.ostreeRef must not contain '..'")
  @JsonPropertyDescription("ostree only: the ref to rebase to, e.g. rhel-edge:rhel/9/x86_64/edge.")
  public String ostreeRef;

  @Pattern(Patterns.OSTREE_COMMIT)
  @JsonPropertyDescription("ostree only: the commit (64 hex digits) to deploy.")
  public String ostreeCommit;

  @Pattern(Patterns.TARGET_IMAGE)
  @Size(max = Patterns.TARGET_IMAGE_MAX_LENGTH)
  @JsonPropertyDescription("image only: the bootable container image (bootc) to switch to, pinned by digest,"
      + " e.g. registry.example.com/edge/microshift@sha256:<64 hex>; a tag (registry/repository:tag) only with allowImageTag.")
  public String image;

  @JsonPropertyDescription("image only: allow spec.target.image to name a tag instead of a digest (a tag can move"
      + " between the canary and the fleet; the device updates to whatever the tag names when it stages).")
  public Boolean allowImageTag;

  @Size(max = 64)
  @JsonPropertyDescription(
      "rpm only: the exact package set dnf installs, e.g. microshift-4.17.3, microshift-networking-4.17.3. Each item must match " + Patterns.PACKAGE + " (the build adds it to the schema).")
  public List<String> packages = new ArrayList<>();

  @Size(max = 16)
  @JsonPropertyDescription(
      "rpm only: the dnf repository ids to enable for the transaction (dnf --enablerepo=ID), e.g. rhocp-4.18-for-rhel-9-x86_64-rpms and fast-datapath-for-rhel-9-x86_64-rpms for a y-stream. Each item must match " + Patterns.REPOSITORY + " (the build adds it to the schema).")
  public List<String> repositories = new ArrayList<>();

  @JsonPropertyDescription(
      "rpm only: IfNeeded (default) restarts MicroShift instead of rebooting when the update is a z-stream and no core package (kernel, glibc, systemd, dbus, linux-firmware) changed; Always reboots.")
  public RebootPolicy reboot;

  public UpdateTarget() {}

  public UpdateTarget(String version) {
    this.version = version;
  }
}
