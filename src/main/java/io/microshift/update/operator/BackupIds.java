package io.microshift.update.operator;

import io.microshift.update.api.UpdatePlan;
import io.microshift.update.backup.BackupStore;
import java.util.Locale;

/** The backup set id of a plan: its name made a plain directory name, plus part of its uid. */
public final class BackupIds {
  private BackupIds() {}

  public static String forPlan(UpdatePlan plan) {
    String name = plan.getMetadata().getName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    String uid = plan.getMetadata().getUid() == null ? "0" : plan.getMetadata().getUid()
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String suffix = "-" + uid.substring(0, Math.min(8, uid.length()));
    String head = name.substring(0, Math.min(name.length(), 63 - suffix.length())).replaceAll("-+$", "");
    String id = (head.isEmpty() ? "plan" : head) + suffix;
    BackupStore.requireValidId(id);
    return id;
  }
}
