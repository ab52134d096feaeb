package io.microshift.update.host;

/** The uid the tests run as (marker files must be owned by it), for tests in other packages. */
public final class TestUid {
  private TestUid() {}

  public static final int CURRENT = TestHost.UID;
}
