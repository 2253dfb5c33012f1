public enum FakeWorldVersion { public static let current = "0.1.0" }
