// libpq, loaded when the first libpq function is called (dlopen), not at
// start-up: libpq brings ~25 shared libraries (GSSAPI, Kerberos, LDAP,
// GnuTLS, OpenSSL...) that every command paid for at exec time, and most
// commands (analyze, lint, fingerprint, report from files) never connect.
// pgsift links no libpq: libpqxx is linked statically and each libpq
// function it or we call is defined here, forwarding to the one in
// libpq.so.5. The compiler checks each signature against libpq-fe.h (a C
// function declared twice with different types is an error); a libpq
// function used without a line here is an undefined symbol at link time.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>

namespace {

void* Libpq() {
  static void* const handle = [] {
    void* h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      std::fprintf(stderr, "pgsift: cannot load libpq.so.5 (needed to connect to PostgreSQL): %s\n", dlerror());
      std::exit(2);
    }
    return h;
  }();
  return handle;
}

void* Symbol(const char* name) {
  void* p = dlsym(Libpq(), name);
  if (p == nullptr) {
    std::fprintf(stderr, "pgsift: libpq.so.5 has no %s: %s\n", name, dlerror());
    std::exit(2);
  }
  return p;
}

}  // namespace

// Defines `name` with libpq's signature; the address is looked up once.
#define PGSIFT_PQ(ret, name, params, args)                                     \
  extern "C" ret name params {                                                 \
    static const auto fn = reinterpret_cast<decltype(&::name)>(Symbol(#name)); \
    return fn args;                                                            \
  }

PGSIFT_PQ(int, PQbackendPID, (const PGconn* conn), (conn))
PGSIFT_PQ(int, PQcancel, (PGcancel * cancel, char* errbuf, int errbufsize), (cancel, errbuf, errbufsize))
PGSIFT_PQ(void, PQclear, (PGresult * res), (res))
PGSIFT_PQ(int, PQclientEncoding, (const PGconn* conn), (conn))
PGSIFT_PQ(char*, PQcmdStatus, (PGresult * res), (res))
PGSIFT_PQ(char*, PQcmdTuples, (PGresult * res), (res))
PGSIFT_PQ(PostgresPollingStatusType, PQconnectPoll, (PGconn * conn), (conn))
PGSIFT_PQ(PGconn*, PQconnectStart, (const char* conninfo), (conninfo))
PGSIFT_PQ(PGconn*, PQconnectdb, (const char* conninfo), (conninfo))
PGSIFT_PQ(void, PQconninfoFree, (PQconninfoOption * connOptions), (connOptions))
PGSIFT_PQ(PQconninfoOption*, PQconninfoParse, (const char* conninfo, char** errmsg), (conninfo, errmsg))
PGSIFT_PQ(int, PQconsumeInput, (PGconn * conn), (conn))
PGSIFT_PQ(char*, PQdb, (const PGconn* conn), (conn))
PGSIFT_PQ(char*, PQencryptPassword, (const char* passwd, const char* user), (passwd, user))
PGSIFT_PQ(int, PQendcopy, (PGconn * conn), (conn))
PGSIFT_PQ(char*, PQerrorMessage, (const PGconn* conn), (conn))
PGSIFT_PQ(unsigned char*, PQescapeByteaConn,
          (PGconn * conn, const unsigned char* from, size_t from_length, size_t* to_length),
          (conn, from, from_length, to_length))
PGSIFT_PQ(char*, PQescapeIdentifier, (PGconn * conn, const char* str, size_t len), (conn, str, len))
PGSIFT_PQ(size_t, PQescapeStringConn, (PGconn * conn, char* to, const char* from, size_t length, int* error),
          (conn, to, from, length, error))
PGSIFT_PQ(PGresult*, PQexec, (PGconn * conn, const char* query), (conn, query))
PGSIFT_PQ(PGresult*, PQexecParams,
          (PGconn * conn, const char* command, int nParams, const Oid* paramTypes, const char* const* paramValues,
           const int* paramLengths, const int* paramFormats, int resultFormat),
          (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))
PGSIFT_PQ(PGresult*, PQexecPrepared,
          (PGconn * conn, const char* stmtName, int nParams, const char* const* paramValues, const int* paramLengths,
           const int* paramFormats, int resultFormat),
          (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))
PGSIFT_PQ(void, PQfinish, (PGconn * conn), (conn))
PGSIFT_PQ(char*, PQfname, (const PGresult* res, int field_num), (res, field_num))
PGSIFT_PQ(int, PQfnumber, (const PGresult* res, const char* field_name), (res, field_name))
PGSIFT_PQ(void, PQfreeCancel, (PGcancel * cancel), (cancel))
PGSIFT_PQ(void, PQfreemem, (void* ptr), (ptr))
PGSIFT_PQ(Oid, PQftable, (const PGresult* res, int field_num), (res, field_num))
PGSIFT_PQ(int, PQftablecol, (const PGresult* res, int field_num), (res, field_num))
PGSIFT_PQ(Oid, PQftype, (const PGresult* res, int field_num), (res, field_num))
PGSIFT_PQ(PGcancel*, PQgetCancel, (PGconn * conn), (conn))
PGSIFT_PQ(int, PQgetCopyData, (PGconn * conn, char** buffer, int async), (conn, buffer, async))
PGSIFT_PQ(PGresult*, PQgetResult, (PGconn * conn), (conn))
PGSIFT_PQ(int, PQgetisnull, (const PGresult* res, int tup_num, int field_num), (res, tup_num, field_num))
PGSIFT_PQ(int, PQgetlength, (const PGresult* res, int tup_num, int field_num), (res, tup_num, field_num))
PGSIFT_PQ(char*, PQgetvalue, (const PGresult* res, int tup_num, int field_num), (res, tup_num, field_num))
PGSIFT_PQ(char*, PQhost, (const PGconn* conn), (conn))
PGSIFT_PQ(int, PQisBusy, (PGconn * conn), (conn))
PGSIFT_PQ(int, PQisthreadsafe, (), ())
PGSIFT_PQ(int, PQnfields, (const PGresult* res), (res))
PGSIFT_PQ(PGnotify*, PQnotifies, (PGconn * conn), (conn))
PGSIFT_PQ(int, PQntuples, (const PGresult* res), (res))
PGSIFT_PQ(Oid, PQoidValue, (const PGresult* res), (res))
PGSIFT_PQ(char*, PQport, (const PGconn* conn), (conn))
PGSIFT_PQ(PGresult*, PQprepare,
          (PGconn * conn, const char* stmtName, const char* query, int nParams, const Oid* paramTypes),
          (conn, stmtName, query, nParams, paramTypes))
PGSIFT_PQ(int, PQprotocolVersion, (const PGconn* conn), (conn))
PGSIFT_PQ(int, PQputCopyData, (PGconn * conn, const char* buffer, int nbytes), (conn, buffer, nbytes))
PGSIFT_PQ(int, PQputCopyEnd, (PGconn * conn, const char* errormsg), (conn, errormsg))
PGSIFT_PQ(void, PQreset, (PGconn * conn), (conn))
PGSIFT_PQ(char*, PQresultErrorField, (const PGresult* res, int fieldcode), (res, fieldcode))
PGSIFT_PQ(char*, PQresultErrorMessage, (const PGresult* res), (res))
PGSIFT_PQ(ExecStatusType, PQresultStatus, (const PGresult* res), (res))
PGSIFT_PQ(int, PQsendQuery, (PGconn * conn, const char* query), (conn, query))
PGSIFT_PQ(int, PQserverVersion, (const PGconn* conn), (conn))
PGSIFT_PQ(int, PQsetClientEncoding, (PGconn * conn, const char* encoding), (conn, encoding))
PGSIFT_PQ(PGVerbosity, PQsetErrorVerbosity, (PGconn * conn, PGVerbosity verbosity), (conn, verbosity))
PGSIFT_PQ(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * conn, PQnoticeProcessor proc, void* arg),
          (conn, proc, arg))
PGSIFT_PQ(int, PQsocket, (const PGconn* conn), (conn))
PGSIFT_PQ(ConnStatusType, PQstatus, (const PGconn* conn), (conn))
PGSIFT_PQ(void, PQtrace, (PGconn * conn, FILE* debug_port), (conn, debug_port))
PGSIFT_PQ(unsigned char*, PQunescapeBytea, (const unsigned char* strtext, size_t* retbuflen), (strtext, retbuflen))
PGSIFT_PQ(void, PQuntrace, (PGconn * conn), (conn))
PGSIFT_PQ(char*, PQuser, (const PGconn* conn), (conn))
PGSIFT_PQ(int, lo_close, (PGconn * conn, int fd), (conn, fd))
PGSIFT_PQ(Oid, lo_creat, (PGconn * conn, int mode), (conn, mode))
PGSIFT_PQ(int, lo_export, (PGconn * conn, Oid lobjId, const char* filename), (conn, lobjId, filename))
PGSIFT_PQ(Oid, lo_import, (PGconn * conn, const char* filename), (conn, filename))
PGSIFT_PQ(int, lo_lseek, (PGconn * conn, int fd, int offset, int whence), (conn, fd, offset, whence))
PGSIFT_PQ(int, lo_open, (PGconn * conn, Oid lobjId, int mode), (conn, lobjId, mode))
PGSIFT_PQ(int, lo_read, (PGconn * conn, int fd, char* buf, size_t len), (conn, fd, buf, len))
PGSIFT_PQ(int, lo_tell, (PGconn * conn, int fd), (conn, fd))
PGSIFT_PQ(int, lo_unlink, (PGconn * conn, Oid lobjId), (conn, lobjId))
PGSIFT_PQ(int, lo_write, (PGconn * conn, int fd, const char* buf, size_t len), (conn, fd, buf, len))
PGSIFT_PQ(const char*, pg_encoding_to_char, (int encoding), (encoding))
