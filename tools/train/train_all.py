"""Retrain the whole shapes-v1 suite from scratch (seeded), evaluate it and export it.

    /usr/bin/python3 tools/train/train_all.py            # the shipped recipe, ~4 h 40 min on 2 quiet cores
    /usr/bin/python3 tools/train/train_all.py --unet-continue ''   # without the UNet continuations, ~90 min
    /usr/bin/python3 tools/train/train_all.py --quick    # smoke test of every stage, ~5 min

Schedule on 2 cores (each process uses 1 thread while another trains beside it):
    data -> [vae 20 min + latent cache] | [detector 10 min -> reward 8 min]
         -> [unet+text 58 min, 2 threads] | [reward --resume 7 -> vaedec 14 (decoder-only)
                                              -> detector --resume --recon 12 (clean renders + VAE reconstructions)]
         -> unet --resume 40 min at 3e-4, 21 min at 2e-4, 100 min at 2e-4 (--unet-continue)
         -> evaluate -> export
Each stage can also run alone: train.py {data,vae,vaedec,detector,reward,unet}, evaluate.py, export.py.
Work files go to $WEFT_WORK (default /tmp/weft_train)."""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable


def run(args, env, log=None):
    print(time.strftime('%H:%M:%S'), '$', ' '.join(args), flush=True)
    return subprocess.Popen([PY] + args, env=env, cwd=HERE)


def wait(p, name):
    rc = p.wait()
    if rc != 0:
        sys.exit(f'stage {name} failed with exit code {rc}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--unet-minutes', type=float, default=None)
    ap.add_argument('--unet-continue', default='40@3e-4,21@2e-4,100@2e-4',
                    help="UNet continuation runs after the first, as MINUTES@PEAK_LR,...; '' for none")
    ap.add_argument('--skip-eval', action='store_true')
    a = ap.parse_args()
    env = dict(os.environ, OMP_WAIT_POLICY='PASSIVE', OMP_NUM_THREADS='2')
    q = ['--quick'] if a.quick else []
    work = env.get('WEFT_WORK', '/tmp/weft_quick' if a.quick else '/tmp/weft_train')
    env['WEFT_WORK'] = work
    if a.quick:  # a smoke test writes its suite, docs and fixtures under the work dir, not over the shipped ones
        env.setdefault('WEFT_OUT', os.path.join(work, 'out'))
    os.makedirs(work, exist_ok=True)
    done = os.path.join(work, 'aux.done')
    if os.path.exists(done):
        os.remove(done)
    t0 = time.time()
    wait(run(['train.py', 'data'] + q, env), 'data')
    # aux chain in the background: detector then reward, 1 thread; marks aux.done at the end
    aux = subprocess.Popen(['sh', '-c', f'"{PY}" train.py detector --threads 1 {" ".join(q)} && '
                                        f'"{PY}" train.py reward --threads 1 {" ".join(q)} && touch "{done}"'],
                           env=env, cwd=HERE)
    wait(run(['train.py', 'vae', '--threads', '1'] + q + ([] if a.quick else ['--minutes', '20']), env), 'vae')
    wait(aux, 'detector/reward')
    um = ['--minutes', str(a.unet_minutes or 58)] if not a.quick or a.unet_minutes else []
    unet = run(['train.py', 'unet', '--threads', '2', '--max-threads', '2'] + q + um, env)
    # beside the UNet (1 thread): continue the reward model, then decoder-only VAE fine-tuning (encoder
    # frozen, so the latent space the UNet learns is unchanged), then the detector on clean renders and
    # reconstructions through that final decoder (so the judge reads decoded images too)
    side = subprocess.Popen(['sh', '-c', f'"{PY}" train.py reward --resume --threads 1 --minutes {0.3 if a.quick else 7} && '
                                         f'"{PY}" train.py vaedec --threads 1 --minutes {0.3 if a.quick else 14} && '
                                         f'"{PY}" train.py detector --resume --recon --threads 1 --minutes {0.3 if a.quick else 12}'],
                            env=env, cwd=HERE)
    wait(side, 'side stages')
    wait(unet, 'unet')
    # The shipped build's UNet went on in fresh, lower schedules (each a cosine from its peak rate).
    for part in ([] if a.quick else [p for p in a.unet_continue.split(',') if p.strip()]):
        minutes, lr = part.split('@')
        wait(run(['train.py', 'unet', '--resume', '--lr', lr, '--threads', '2', '--minutes', minutes], env), 'unet --resume')
    print(time.strftime('%H:%M:%S'), f'training done in {(time.time() - t0) / 60:.1f} min', flush=True)
    if not a.skip_eval:
        wait(run(['evaluate.py'] + q, env), 'evaluate')
    wait(run(['export.py'], env), 'export')
    print(time.strftime('%H:%M:%S'), f'all done in {(time.time() - t0) / 60:.1f} min', flush=True)


if __name__ == '__main__':
    main()
