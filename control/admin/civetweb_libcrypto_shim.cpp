// librvoipd-civetweb-libcrypto.so: the "libcrypto.so" Debian 12's civetweb 1.15 loads, without
// the libssl-dev package that owns the real unversioned name. No code: its SONAME is
// "libcrypto.so" and it depends on libcrypto.so.3, so once AdminServer has loaded it,
// civetweb's dlopen("libcrypto.so") gets it and each dlsym() finds the function in
// libcrypto.so.3 (see civetweb_libssl_shim.cpp).
