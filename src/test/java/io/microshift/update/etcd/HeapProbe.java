package io.microshift.update.etcd;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/** Peak heap use across a piece of work, from the JVM's memory pool peaks. */
public final class HeapProbe {

  private HeapProbe() {}

  /** Collects garbage and resets the heap pools' peaks: the next {@link #peakBytes()} starts here. */
  public static void reset() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /**
   * Sum of each heap pool's peak use since {@link #reset()}: an upper bound of the heap in use at
   * any moment (pools peak at different times), garbage included.
   */
  public static long peakBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** Heap in use right after a full collection: what is really retained. */
  public static long liveBytesAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  public static long maxHeapBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  public static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }
}
