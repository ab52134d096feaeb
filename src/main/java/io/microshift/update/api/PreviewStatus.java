package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** A dry run's report: what the plan would do, nothing done. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PreviewStatus {
  public String versionPath;
  public List<String> workloadsToPause = new ArrayList<>();
  /** At most 21 lines per hook phase: 20 hooks and "... and N more" (docs/workloads.md, Limits). */
  @Size(max = 63)
  public List<String> hooksToRun = new ArrayList<>();
  @Size(max = 21)
  public List<String> malformedHooks = new ArrayList<>();
  public Long backupEstimateBytes;
  public Long freeBytes;
  public String expectedDowntime;
  /** What the host agent found when it checked (a dry-run Prepare). */
  public HostFacts host;
}
