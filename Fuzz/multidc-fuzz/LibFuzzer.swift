#if MULTIDC_LIBFUZZER
    /// The libFuzzer entry point (coverage-guided; see Fuzz/README.md): built only with
    /// `-Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DMULTIDC_LIBFUZZER`.
    /// A property that does not hold is turned into a crash, which libFuzzer saves.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        let outcome = FuzzTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
        if let problem = outcome.problems.first { fatalError(problem) }
        if outcome.outputBytes > 1 << 20 { fatalError("rendered \(outcome.outputBytes) bytes") }
        return 0
    }
#endif
