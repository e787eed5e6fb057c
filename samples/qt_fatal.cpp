// qt_fatal: a Qt program gives up with qFatal(), which prints the message and aborts.
//
// What a debugger should show:
//   signal  SIGABRT (6), si_code SI_TKILL (-6): qAbort() calls abort()
//   frames  #0 __pthread_kill_implementation (libc) ... raise, abort, qAbort(),
//           QMessageLogger::fatal(char const*, ...) const (libQt6Core), then load_settings (the
//           crash-marker line), then main
//   stderr  "settings file /etc/sample.conf has unsupported version 7"
// Qt 6.4 keeps no reference to the formatted message once it is printed; corelens formats it
// again from fatal()'s va_list and the format string in load_settings' code.
#include <QtCore/QCoreApplication>
#include <QtCore/QString>
#include <QtCore/QtGlobal>

void load_settings(const QString &path, int version)
{
    if (version > 2)
        qFatal("settings file %s has unsupported version %d", qPrintable(path), version); // CRASH-SITE
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    load_settings(QStringLiteral("/etc/sample.conf"), argc + 6); // CALL-SITE load_settings
    return 0;
}
