package io.microshift.update.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link UpdateRequest#fixedFieldsDifferingFrom} names every component that changed, and only
 * that one, except the three a later request may change: its list of names and its array of values
 * agree, field by field, for every component the record has (a new one fails here until it is
 * classified).
 */
class UpdateRequestFixedFieldsTest {
  private static final Set<String> MAY_CHANGE = Set.of("sequence", "action", "verification");

  @Test
  void namesExactlyTheComponentThatChanged() throws Exception {
    UpdateRequest base = MarkerFilesTest.request();
    RecordComponent[] components = UpdateRequest.class.getRecordComponents();
    Constructor<UpdateRequest> canonical = UpdateRequest.class.getDeclaredConstructor(
        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
    for (int i = 0; i < components.length; i++) {
      Object[] values = new Object[components.length];
      for (int j = 0; j < components.length; j++) {
        values[j] = components[j].getAccessor().invoke(base);
      }
      values[i] = changed(components[i].getType(), values[i]);
      UpdateRequest other = canonical.newInstance(values);
      String name = components[i].getName();
      assertNotEquals(base, other, name + " did not change");
      assertEquals(MAY_CHANGE.contains(name) ? List.of() : List.of(name), base.fixedFieldsDifferingFrom(other), name);
      assertEquals(MAY_CHANGE.contains(name) ? List.of() : List.of(name), other.fixedFieldsDifferingFrom(base), name);
    }
    assertEquals(components.length - MAY_CHANGE.size(), UpdateRequest.FIXED_FIELDS.size());
    assertEquals(List.of(), base.fixedFieldsDifferingFrom(MarkerFilesTest.request()));
  }

  private static Object changed(Class<?> type, Object value) {
    if (type == String.class) {
      return value + "-other";
    } else if (type == long.class) {
      return (Long) value + 1;
    } else if (type == int.class) {
      return (Integer) value + 1;
    } else if (type == boolean.class || type == Boolean.class) {
      return !Boolean.TRUE.equals(value);
    } else if (type.isEnum()) {
      Object[] constants = type.getEnumConstants();
      return constants[(((Enum<?>) value).ordinal() + 1) % constants.length];
    } else if (type.isRecord()) {
      if (value == null) {
        throw new AssertionError("the base request needs a " + type.getSimpleName());
      }
      return null;
    }
    throw new AssertionError("no change for a component of type " + type);
  }
}
