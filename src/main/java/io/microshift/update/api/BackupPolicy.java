package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The platform backup taken before the hand-off. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupPolicy {

  @JsonPropertyDescription("Take an etcd snapshot before the update (default true). This version refuses false: the host agent requires a verified snapshot.")
  public Boolean etcdSnapshot;

  @Min(1)
  @Max(10)
  @JsonPropertyDescription("How many complete backup sets to keep on the device (default 2).")
  public Integer retention;
}
