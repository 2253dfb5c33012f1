#if MULTIDC_LIBFUZZER
    /// The libFuzzer build (coverage-guided; see Fuzz/README.md), made with
    /// `-Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -DMULTIDC_LIBFUZZER`.
    /// A property that does not hold is turned into a crash, which libFuzzer saves.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        let outcome = FuzzTarget.run(bytes)
        if let problem = outcome.problems.first { fatalError(problem) }
        if outcome.outputBytes > 1 << 20 { fatalError("rendered \(outcome.outputBytes) bytes") }
        return 0
    }

    /// libFuzzer's driver (compiler-rt `FuzzerInterface.h`, LLVM ≥ 12): runs the fuzz loop with
    /// libFuzzer's command line.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable target with `main` defined as `<module>_main`, so libFuzzer's
    /// own `main` is never used: this one hands the command line to libFuzzer's driver.
    @_cdecl("multidc_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return runDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
    }
#endif
