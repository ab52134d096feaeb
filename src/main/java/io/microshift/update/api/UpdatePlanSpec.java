package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What the administrator asks for. Defaults are applied by {@link EffectiveSpec}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type != 'ostree' || has(self.target.ostreeRef) || has(self.target.ostreeCommit)",
    message = "an ostree update needs spec.target.ostreeRef or spec.target.ostreeCommit")
@ValidationRule(
    value = "self.type != 'ostree' || !has(self.target.packages) || size(self.target.packages) == 0",
    message = "spec.target.packages is for rpm updates; an ostree update takes ostreeRef or ostreeCommit")
@ValidationRule(
    value = "self.type != 'rpm' || (has(self.target.packages) && size(self.target.packages) > 0)",
    message = "an rpm update needs spec.target.packages (the exact package set to install)")
@ValidationRule(
    value = "self.type != 'rpm' || (!has(self.target.ostreeRef) && !has(self.target.ostreeCommit))",
    message = "spec.target.ostreeRef and ostreeCommit are for ostree updates")
@ValidationRule(
    value = "self.type != 'ostree' || ((!has(self.target.repositories) || size(self.target.repositories) == 0) && !has(self.target.reboot))",
    message = "spec.target.repositories and spec.target.reboot are for rpm updates")
@ValidationRule(
    value = "self.type != 'image' || has(self.target.image)",
    message = "an image update needs spec.target.image (registry/repository@sha256:<64 hex>)")
@ValidationRule(
    value = "self.type == 'image' || !has(self.target.image)",
    message = "spec.target.image is for image updates (type image)")
@ValidationRule(
    value = "self.type != 'image' || (!has(self.target.ostreeRef) && !has(self.target.ostreeCommit)"
        + " && (!has(self.target.packages) || size(self.target.packages) == 0)"
        + " && (!has(self.target.repositories) || size(self.target.repositories) == 0) && !has(self.target.reboot))",
    message = "an image update takes spec.target.image only: ostreeRef, ostreeCommit, packages, repositories and reboot are for ostree and rpm updates")
public class UpdatePlanSpec {

  @Required
  @JsonPropertyDescription("How the host is updated: ostree (rpm-ostree, greenboot rollback), image (bootc, greenboot rollback) or rpm (dnf).")
  public UpdateType type;

  @Required
  @JsonPropertyDescription("The version, and the ostree ref/commit or rpm package set, to update to.")
  public UpdateTarget target;

  @JsonPropertyDescription("Workloads to pause (scale to 0, suspend CronJobs) while the device updates.")
  public WorkloadSelection workloads;

  @JsonPropertyDescription("Defaults and limits for the workloads' annotated hooks.")
  public HookPolicy hooks;

  @JsonPropertyDescription("The etcd snapshot taken before the update and how many backup sets to keep.")
  public BackupPolicy backup;

  @JsonPropertyDescription("Start the update only inside this window.")
  public MaintenanceWindow maintenanceWindow;

  @Pattern(Patterns.DURATION)
  @Size(max = Patterns.DURATION_MAX_LENGTH)
  @ValidationRule(value = "duration(self) >= duration('1m') && duration(self) <= duration('1h')",
      message = "spec.healthCheckTimeout must be between 1m and 1h")
  @JsonPropertyDescription("How long greenboot waits for MicroShift and the workloads after the reboot (default 10m).")
  public String healthCheckTimeout;

  @JsonPropertyDescription("Allow a target lower than the running version (default false). MicroShift never supports going back a minor version.")
  public Boolean allowDowngrade;

  @JsonPropertyDescription("Allow a version path that MicroShift accepts but the product documentation does not support"
      + " (default false): skipping a minor between non-EUS releases (4.15 -> 4.17), or an update from the"
      + " Technology Preview 4.13. What the target MicroShift refuses stays refused.")
  public Boolean allowUnsupportedPath;

  @JsonPropertyDescription("When paused workloads resume: AfterBoot (default) or AfterCommit (no write can be lost to a rollback).")
  public ResumePolicy resumeWorkloads;

  @JsonPropertyDescription("Preview only: run preflight, report what would happen, change nothing (default false).")
  public Boolean dryRun;

  @JsonPropertyDescription("ostree: stage the update even though an rpm-ostree update driver (e.g. a fleet agent) is registered,"
      + " with rpm-ostree's --bypass-driver (default false: such a host is refused, naming the driver).")
  public Boolean bypassUpdateDriver;

  /** Not part of the API: set when spec could not be read into these types (see LenientReader). */
  @JsonIgnore
  public String unreadable;
}
