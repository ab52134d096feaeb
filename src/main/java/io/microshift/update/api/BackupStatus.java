package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Summary of the backup set this plan took. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupStatus {
  public String id;
  public String path;
  public Boolean etcdSnapshot;
  public Long etcdSizeBytes;
  public String etcdSha256;
  public Long etcdRevision;
  public String etcdVersion;
  public String createdAt;
}
