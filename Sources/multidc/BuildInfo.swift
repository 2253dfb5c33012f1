/// What the binary was built from. scripts/install.sh stamps these values for the build and
/// restores this file afterwards; a plain `swift build` leaves them unknown.
enum BuildInfo {
    static let commit: String? = nil
    static let dirty = false
}
