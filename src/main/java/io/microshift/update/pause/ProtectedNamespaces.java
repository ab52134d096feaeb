package io.microshift.update.pause;

/**
 * The namespaces the operator never hooks or pauses: the platform's (openshift-*, kube-*) and the
 * operator's own. {@code default} is a user namespace.
 */
public final class ProtectedNamespaces {
  private final String operatorNamespace;

  public ProtectedNamespaces(String operatorNamespace) {
    this.operatorNamespace = operatorNamespace;
  }

  public boolean isProtected(String namespace) {
    return namespace == null
        || namespace.equals("openshift")
        || namespace.startsWith("openshift-")
        || namespace.startsWith("kube-")
        || namespace.equals(operatorNamespace);
  }
}
