package io.microshift.update.cli;

public final class Main {
  public static void main(String[] args) {
    System.out.println("microshift-update");
  }
}
