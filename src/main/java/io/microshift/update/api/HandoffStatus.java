package io.microshift.update.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The request.json the operator wrote for the host agent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HandoffStatus {
  public Long sequence;
  /** Apply or Cancel. */
  public String action;
  public String writtenAt;
  /** Passed or Failed once the operator verified the workloads on the new boot. */
  public String verification;
  /** The boot id the verification is about. */
  public String verifiedBootId;
}
