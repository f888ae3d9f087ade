package elf

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"strings"
)

// nssSymbols are glibc's NSS entry points (public lookups and the internal
// machinery they share). In a static binary they are defined only when the
// program links a lookup, so their presence means NSS will run.
var nssSymbols = map[string]bool{
	"getaddrinfo": true, "getnameinfo": true, "gethostbyname": true, "gethostbyname2": true,
	"gethostbyname_r": true, "gethostbyname2_r": true, "gethostbyaddr": true, "gethostbyaddr_r": true,
	"getpwnam": true, "getpwnam_r": true, "getpwuid": true, "getpwuid_r": true, "getpwent": true,
	"getgrnam": true, "getgrnam_r": true, "getgrgid": true, "getgrgid_r": true, "getgrouplist": true,
	"initgroups": true, "getspnam": true, "getspnam_r": true, "getservbyname": true, "getservbyname_r": true,
	"getprotobyname": true, "getprotobyname_r": true,
	"__nss_database_get": true, "__nss_module_get_function": true, "__nss_lookup_function": true,
	"__nss_database_lookup2": true, "__nss_next2": true,
}

// nssStrings are found in .rodata of static glibc with NSS even when the
// symbol table is stripped: the module name pattern and the config path.
// Both must be there: other runtimes (Go's net package) read
// /etc/nsswitch.conf themselves and load no module.
var nssStrings = [][]byte{[]byte("libnss_%s.so"), []byte("/etc/nsswitch.conf")}

// detectNSS reports whether a static binary carries glibc's NSS. It reads the
// symbol table for the entry points above; a stripped binary has none, so
// then it looks for NSS's own strings in the read-only data. musl has no NSS
// and never matches. Dynamic binaries are not checked: their libc.so.6 does
// the lookups and already has files and dns built in (glibc >= 2.34).
func detectNSS(path string) (bool, error) {
	f, err := elf.Open(path)
	if err != nil {
		return false, fmt.Errorf("reading ELF %s: %w", path, err)
	}
	defer f.Close()
	if syms, err := f.Symbols(); err == nil && len(syms) > 0 {
		for _, s := range syms {
			if s.Section != elf.SHN_UNDEF && nssSymbols[s.Name] {
				return true, nil
			}
		}
		return false, nil
	}
	return hasNSSStrings(f, path)
}

func hasNSSStrings(f *elf.File, path string) (bool, error) {
	var data []byte
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".rodata") && s.Type == elf.SHT_PROGBITS {
			b, err := s.Data()
			if err != nil {
				return false, fmt.Errorf("reading %s of %s: %w", s.Name, path, err)
			}
			data = append(data, b...)
		}
	}
	if data == nil { // no section headers (sstrip): read the whole file
		b, err := readAll(path)
		if err != nil {
			return false, err
		}
		data = b
	}
	for _, s := range nssStrings {
		if !bytes.Contains(data, s) {
			return false, nil
		}
	}
	return true, nil
}

func readAll(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}
