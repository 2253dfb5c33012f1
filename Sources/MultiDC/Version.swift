/// Placeholder until the library grows.
public enum MultiDCVersion { public static let current = "0.1.0" }
