package io.microshift.update.marker;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Objects;

/**
 * Two values equal as {@link Objects#equals} says, with a record compared component by component
 * through its accessors: what a record's generated {@code equals} does, without its first call
 * bootstrapping {@code java.lang.runtime.ObjectMethods}, which spins some 40 method-handle classes
 * that the class-data archive cannot hold; greenboot-check compared four records so at every start
 * (docs/host.md, "Start-up").
 */
final class RecordEquality {
  private RecordEquality() {}

  static boolean equal(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null || a.getClass() != b.getClass() || !a.getClass().isRecord()) {
      return Objects.equals(a, b);
    }
    try {
      for (RecordComponent c : a.getClass().getRecordComponents()) {
        if (!equal(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
          return false;
        }
      }
      return true;
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read the components of " + a.getClass().getName(), e);
    }
  }
}
