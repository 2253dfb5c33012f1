/// Placeholder until the library grows.
package enum MultiDCVersion { package static let current = "0.1.0" }
